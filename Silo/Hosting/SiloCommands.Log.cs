namespace IronOrleans.Silo;

public static partial class SiloCommands
{
    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Migration finished: {AppliedCount} script(s) applied")]
    private static partial void LogMigrated(ILogger logger, int appliedCount);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Migration failed")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Error, Message = "Migration not started: {Reason}")]
    private static partial void LogInvalidOptions(ILogger logger, string reason);
}
