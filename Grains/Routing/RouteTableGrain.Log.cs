using Microsoft.Extensions.Logging;

namespace IronOrleans.Grains.Routing;

/// <summary>Log messages of <see cref="RouteTableGrain"/> (event ids 1400-1449).</summary>
internal sealed partial class RouteTableGrain
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Route table of {Vni} activated (epoch {Epoch}); asking {Count} nodes to re-sync")]
    private static partial void LogActivated(ILogger logger, uint vni, long epoch, int count);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Withdrew {Count} routes of {NodeId} from {Vni}")]
    private static partial void LogOriginWithdrawn(ILogger logger, uint vni, string nodeId, int count);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Subscriber {NodeId} of {Vni} fell more than 10000 deltas behind; it will re-snapshot")]
    private static partial void LogOverflow(ILogger logger, uint vni, string nodeId);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Delivering routes of {Vni} to {NodeId} failed ({Failures} in a row); it will re-snapshot")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, uint vni, string nodeId, int failures);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Information, Message = "Route table of {Vni} is complete again (End-of-RIB at version {Version}): every announcer re-synced or was withdrawn")]
    private static partial void LogComplete(ILogger logger, uint vni, long version);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Route table of {Vni} stopped waiting for {Count} announcers to re-sync ({NodeIds}); declaring End-of-RIB")]
    private static partial void LogResyncWaitEnded(ILogger logger, uint vni, int count, string nodeIds);
}
