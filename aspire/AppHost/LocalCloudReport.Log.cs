namespace IronOrleans.AppHost;

internal sealed partial class LocalCloudReport
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "{Resource} is healthy ({Seconds:0.0} s after the AppHost started)")]
    private static partial void LogResourceHealthy(ILogger logger, string resource, double seconds);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Error, Message = "{Resource} did not become healthy: {Reason}")]
    private static partial void LogResourceFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Information, Message = "IronOrleans local cloud is ready, {Seconds:0.0} s after the AppHost started")]
    private static partial void LogReady(ILogger logger, double seconds);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Information, Message = "Gateway gRPC (h2c):  {Url}")]
    private static partial void LogGateway(ILogger logger, string url);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Information, Message = "Orleans dashboard:   {Url}")]
    private static partial void LogOrleansDashboard(ILogger logger, string url);

    [LoggerMessage(EventId = 9106, Level = LogLevel.Information, Message = "Aspire dashboard:    {Url}")]
    private static partial void LogAspireDashboard(ILogger logger, string url);
}
