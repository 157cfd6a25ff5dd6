using Microsoft.Extensions.Logging;

namespace IronOrleans.PacketCore.Grpc.Services;

public sealed partial class DpdkIronCoreService
{
    // EventIds 3100-3199: PacketCore.Grpc.
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Initialize called (uuid {Uuid}, first call: {FirstCall})")]
    private static partial void LogInitialized(ILogger logger, string uuid, bool firstCall);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Version requested by {ClientName} {ClientVersion} (protocol {ClientProtocol})")]
    private static partial void LogVersionRequested(ILogger logger, string clientName, string clientVersion, string clientProtocol);
}
