namespace IronOrleans.PacketCore.Daemon.Hosting;

internal sealed partial class DaemonStartupReporter
{
    // EventIds 3200-3299: PacketCore.Daemon.
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "PacketCore daemon gRPC (h2c) configured for {GrpcAddress}:{GrpcPort}, listening on {Addresses}")]
    private static partial void LogStarted(ILogger logger, string grpcAddress, int grpcPort, string addresses);
}
