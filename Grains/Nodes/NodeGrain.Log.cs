using Microsoft.Extensions.Logging;

namespace IronOrleans.Grains.Nodes;

/// <summary>Log messages of <see cref="NodeGrain"/> (event ids 1200-1399).</summary>
internal sealed partial class NodeGrain
{
    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Node {NodeId} activated (epoch {Epoch}) with {Count} network interfaces; dropped {Stale} stale members")]
    private static partial void LogActivated(ILogger logger, string nodeId, long epoch, int count, int stale);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Node {NodeId} registered with underlay {Prefix}")]
    private static partial void LogRegistered(ILogger logger, string nodeId, string? prefix);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Publishing event {Version} of node {NodeId} failed; subscribers will re-snapshot")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string nodeId, long version);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Debug, Message = "Node {NodeId} pushes its events to {Observer} from version {Version}")]
    private static partial void LogWatcherAdded(ILogger logger, string nodeId, GrainId observer, long version);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Pushing events of node {NodeId} to {Observer} failed; dropped it until it registers again (it catches up from the stream)")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, string nodeId, GrainId observer);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "Observer {Observer} of node {NodeId} fell more than {Max} events behind; dropped it until it registers again (it catches up from the stream)")]
    private static partial void LogWatcherBehind(ILogger logger, string nodeId, GrainId observer, int max);
}
