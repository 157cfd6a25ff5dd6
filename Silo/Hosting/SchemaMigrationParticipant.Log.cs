namespace IronOrleans.Silo;

internal sealed partial class SchemaMigrationParticipant
{
    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "MigrateOnStart: ensuring the database and schema before the silo starts")]
    private partial void LogMigratingOnStart();
}
