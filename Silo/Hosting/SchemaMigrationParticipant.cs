using IronOrleans.Silo.Database;
using Microsoft.Extensions.Options;

namespace IronOrleans.Silo;

/// <summary>
/// With <see cref="DatabaseOptions.MigrateOnStart"/>, creates the database if missing and applies the schema in
/// the first silo lifecycle stage, before membership and grain storage read their queries.
/// </summary>
internal sealed partial class SchemaMigrationParticipant(
    IOptions<DatabaseOptions> options, ILogger<SchemaMigrationParticipant> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationParticipant), ServiceLifecycleStage.First, MigrateAsync);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connectionString = options.Value.ConnectionString
            ?? throw new InvalidOperationException("MigrateOnStart is set but no connection string is configured.");
        LogMigratingOnStart();
        await PostgresSchema.EnsureDatabaseAsync(connectionString, logger, cancellationToken);
        await PostgresSchema.ApplyAsync(connectionString, logger, cancellationToken);
    }
}
