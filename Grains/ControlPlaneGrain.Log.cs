using Microsoft.Extensions.Logging;

namespace IronOrleans.Grains;

/// <summary>Log messages of <see cref="ControlPlaneGrain"/> (event ids 1200-1399).</summary>
internal sealed partial class ControlPlaneGrain
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Network interface {InterfaceId} created with uid {Uid} on node {NodeId} in VNI {Vni}")]
    private static partial void LogNicCreated(ILogger logger, string interfaceId, Guid uid, string nodeId, uint vni);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Network interface {InterfaceId} (uid {Uid}) deleted from node {NodeId}")]
    private static partial void LogNicDeleted(ILogger logger, string interfaceId, Guid uid, string nodeId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "Transaction for {Operation} aborted transiently (attempt {Attempt}, {Error}); retrying")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, string error);
}
