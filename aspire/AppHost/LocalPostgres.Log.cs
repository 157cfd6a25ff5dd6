namespace IronOrleans.AppHost;

internal sealed partial class LocalPostgres
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "PostgreSQL: reusing the data directory {DataDirectory}")]
    private static partial void LogReusingDataDirectory(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "PostgreSQL: initialising a new data directory {DataDirectory}")]
    private static partial void LogInitializing(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "PostgreSQL: initialised {DataDirectory} in {Seconds:0.0} s")]
    private static partial void LogInitialized(ILogger logger, string dataDirectory, double seconds);
}
