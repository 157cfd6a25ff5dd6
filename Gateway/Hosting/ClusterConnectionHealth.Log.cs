namespace IronOrleans.Gateway.Hosting;

internal sealed partial class ClusterConnectionHealth
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Connected to the Orleans cluster")]
    private static partial void LogConnected(ILogger logger);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Lost the connection to the Orleans cluster")]
    private static partial void LogConnectionLost(ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Connected silo gateways changed from {Previous} to {Current}")]
    private static partial void LogGatewayCountChanged(ILogger logger, int previous, int current);
}
