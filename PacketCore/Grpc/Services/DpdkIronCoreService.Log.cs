using Microsoft.Extensions.Logging;

namespace IronOrleans.PacketCore.Grpc.Services;

public sealed partial class DpdkIronCoreService
{
    // EventIds 3100-3199: PacketCore.Grpc.
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Initialize called (uuid {Uuid})")]
    private static partial void LogInitialized(ILogger logger, string uuid);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Version requested by {ClientName} {ClientVersion} (protocol {ClientProtocol})")]
    private static partial void LogVersionRequested(ILogger logger, string clientName, string clientVersion, string clientProtocol);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "{Operation} {InterfaceId}: {Result}")]
    private static partial void LogControl(ILogger logger, string operation, string interfaceId, string result);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "{Operation} in VNI {Vni} {Prefix}: {Result}")]
    private static partial void LogRoute(ILogger logger, string operation, uint vni, string prefix, string result);
}
