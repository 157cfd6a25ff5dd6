namespace IronOrleans.Gateway.Watch;

internal sealed partial class NodeWatcher
{
    [LoggerMessage(EventId = 2020, Level = LogLevel.Debug, Message = "Watch of node {NodeId} started")]
    private static partial void LogWatchStarted(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Debug, Message = "Watch of node {NodeId} ended")]
    private static partial void LogWatchEnded(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "Watch of node {NodeId} re-reads the node at version {Version}: {Cause}")]
    private static partial void LogResync(ILogger logger, string nodeId, long version, string cause);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Node stream of {NodeId} reported an error; the watch re-reads the node")]
    private static partial void LogStreamError(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Warning, Message = "Unsubscribing the watch of node {NodeId} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(EventId = 2025, Level = LogLevel.Debug, Message = "Registering the push observer of the watch of node {NodeId} again failed; the stream still delivers")]
    private static partial void LogPushRefreshFailed(ILogger logger, string nodeId, Exception exception);
}
