using Microsoft.Extensions.Logging;

namespace IronOrleans.PacketCore;

public sealed partial class PacketCoreEngine
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "PacketCore worker started with {VmPortCount} VM ports")]
    private static partial void LogStarted(ILogger logger, int vmPortCount);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "PacketCore worker stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "PacketCore worker did not stop within the timeout")]
    private static partial void LogWorkerStopTimeout(ILogger logger);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "PacketCore worker fault; the burst was lost")]
    private static partial void LogWorkerFault(ILogger logger, Exception exception);
}
