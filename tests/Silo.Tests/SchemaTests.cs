using IronOrleans.Silo.Database;
using Npgsql;

namespace IronOrleans.Silo.Tests;

/// <summary>The migrator against a real PostgreSQL: idempotent, race-free, refreshes changed scripts.</summary>
public sealed class SchemaTests(PostgresServerFixture postgres)
{
    private static readonly string[] ExpectedQueryKeys =
    [
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "MembershipReadAllKey", "MembershipReadRowKey", "InsertMembershipKey", "InsertMembershipVersionKey",
        "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApplyAsync_TwiceOnFreshDatabase_AppliesAllScriptsThenNothing()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("twice", applySchema: false, Ct);

        var first = await PostgresSchema.ApplyAsync(connectionString, Ct);
        var second = await PostgresSchema.ApplyAsync(connectionString, Ct);

        Assert.Equal(PostgresSchema.Scripts.Select(s => s.Version), first.Select(s => s.Version));
        Assert.Empty(second);
        Assert.Equal(ExpectedQueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync(connectionString));
        Assert.Equal(PostgresSchema.Scripts.Count, await ScalarAsync<long>(connectionString, $"SELECT count(*) FROM {PostgresSchema.VersionTable}"));

        // Grain-state rows up to ~8 KB stay inline and uncompressed (0004): no TOAST churn on every transactional write.
        Assert.Equal("toast_tuple_target=8160", await ScalarAsync<string>(connectionString,
            "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'orleans_grain_state'"));
    }

    [Fact]
    public async Task ApplyAsync_FromConcurrentCallers_AppliesEachScriptOnce()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("race", applySchema: false, Ct);

        var results = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(connectionString, Ct), Ct)));

        Assert.Equal(PostgresSchema.Scripts.Count, results.Sum(r => r.Count));
        Assert.Single(results, r => r.Count > 0);
        Assert.Equal(ExpectedQueryKeys.Order(StringComparer.Ordinal), await QueryKeysAsync(connectionString));
    }

    [Fact]
    public async Task ApplyAsync_ScriptWithChangedChecksum_IsAppliedAgainAndRestoresQueryText()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("refresh", applySchema: true, Ct);
        await ExecuteAsync(connectionString, "UPDATE orleansquery SET querytext = 'stale' WHERE querykey = 'GatewaysQueryKey'");
        await ExecuteAsync(connectionString, $"UPDATE {PostgresSchema.VersionTable} SET checksum = 'old' WHERE name = 'clustering'");

        var applied = await PostgresSchema.ApplyAsync(connectionString, Ct);

        Assert.Equal("clustering", Assert.Single(applied).Name);
        var text = await ScalarAsync<string>(connectionString, "SELECT querytext FROM orleansquery WHERE querykey = 'GatewaysQueryKey'");
        Assert.Contains("@DeploymentId", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureDatabaseAsync_ConcurrentCallers_CreateTheDatabaseOnce()
    {
        var name = "io_ensure_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = postgres.Server.ConnectionStringFor(name);

        var created = await Task.WhenAll(
            Enumerable.Range(0, 3).Select(_ => Task.Run(() => PostgresSchema.EnsureDatabaseAsync(connectionString, Ct), Ct)));

        Assert.Single(created, c => c);
        Assert.False(await PostgresSchema.EnsureDatabaseAsync(connectionString, Ct));
        Assert.Equal(1L, await ScalarAsync<long>(connectionString, "SELECT 1::bigint"));
    }

    [Fact]
    public void Scripts_AreOrderedAndNamed()
    {
        Assert.Equal(["query_table", "grain_persistence", "clustering", "grain_state_storage"], PostgresSchema.Scripts.Select(s => s.Name));
        Assert.All(PostgresSchema.Scripts, s => Assert.Equal(64, s.Checksum.Length));
    }

    private static async Task<List<string>> QueryKeysAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT querykey FROM orleansquery ORDER BY querykey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var keys = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
