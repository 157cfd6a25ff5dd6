namespace IronOrleans.Gateway.Hosting;

internal sealed partial class ClusterConnectedSignal
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Gateway serving h2c gRPC at {Url}; Orleans clustering: {ClusteringMode}")]
    private static partial void LogStarted(ILogger logger, string url, string clusteringMode);
}
