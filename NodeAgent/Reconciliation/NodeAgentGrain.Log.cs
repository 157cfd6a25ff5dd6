
namespace IronOrleans.NodeAgent.Reconciliation;

/// <summary>Log messages of <see cref="NodeAgentGrain"/> (event ids 3000-3099).</summary>
internal sealed partial class NodeAgentGrain
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Node {NodeId} agent started on {DataPlane} with {Count} interfaces programmed")]
    private static partial void LogStarted(ILogger logger, string nodeId, string dataPlane, int count);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Node {NodeId}: created interface {InterfaceId} in {Vni} on {Device}, underlay {Underlay}")]
    private static partial void LogInterfaceCreated(ILogger logger, string nodeId, string interfaceId, uint vni, string device, string underlay);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Node {NodeId}: deleted interface {InterfaceId} from {Vni}")]
    private static partial void LogInterfaceDeleted(ILogger logger, string nodeId, string interfaceId, uint vni);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Node {NodeId}: reconciling {InterfaceId} failed; retrying every tick")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string nodeId, string interfaceId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Node {NodeId}: {InterfaceId} reconciled again after failures")]
    private static partial void LogRecovered(ILogger logger, string nodeId, string interfaceId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Node {NodeId}: PacketCore restarted (uuid {OldUuid} -> {NewUuid}); re-creating and re-announcing everything")]
    private static partial void LogDataPlaneRestarted(ILogger logger, string nodeId, string oldUuid, string newUuid);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Node {NodeId}: gap in desired-state versions ({Version} then {Next}); re-snapshotting")]
    private static partial void LogNodeGap(ILogger logger, string nodeId, long version, long next);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Node {NodeId}: gap in routes of {Vni} ({Version} then {Next}); re-snapshotting")]
    private static partial void LogRouteGap(ILogger logger, string nodeId, uint vni, long version, long next);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Node {NodeId}: subscribing to {Vni} failed; retrying every tick")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, string nodeId, uint vni);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Node {NodeId}: PacketCore refused route {Prefix} in {Vni}: {Result}")]
    private static partial void LogRouteRefused(ILogger logger, string nodeId, uint vni, string prefix, string result);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Node {NodeId}: swept stale interface {InterfaceId} from PacketCore")]
    private static partial void LogSwept(ILogger logger, string nodeId, string interfaceId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Node {NodeId}: reporting the status of {InterfaceId} failed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string nodeId, string interfaceId);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Debug, Message = "Node {NodeId}: {Count} route deltas in {Vni} up to version {Version}")]
    private static partial void LogRouteDeltas(ILogger logger, string nodeId, int count, uint vni, long version);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Debug, Message = "Node {NodeId}: removed route {Prefix} from {Vni}")]
    private static partial void LogRouteRemoved(ILogger logger, string nodeId, string prefix, uint vni);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Debug, Message = "Node {NodeId}: keeping unannounced route {Prefix} in {Vni} for {Remaining} ms (resync grace)")]
    private static partial void LogRouteKept(ILogger logger, string nodeId, string prefix, uint vni, long remaining);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning, Message = "Node {NodeId}: registering for pushed node events failed; the node stream still delivers them, the next tick tries again")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string nodeId);
}
