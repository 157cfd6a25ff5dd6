namespace IronOrleans.Silo.Database;

public static partial class PostgresSchema
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Applied schema script {ScriptVersion} ({ScriptName}) to database {Database}")]
    private static partial void LogScriptApplied(ILogger logger, int scriptVersion, string scriptName, string database);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Schema of database {Database} is current ({ScriptCount} scripts)")]
    private static partial void LogSchemaCurrent(ILogger logger, string database, int scriptCount);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Created database {Database}")]
    private static partial void LogDatabaseCreated(ILogger logger, string database);
}
