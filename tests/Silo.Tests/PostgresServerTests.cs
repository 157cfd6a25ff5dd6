using IronOrleans.Testing;
using Npgsql;

namespace IronOrleans.Silo.Tests;

/// <summary>The throwaway-server fixture itself: clear failure without binaries, full clean-up on dispose.</summary>
public sealed class PostgresServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_WithoutBinaries_ExplainsHowToInstallThem()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-postgres-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresServer.StartAsync(missing, Ct));

        Assert.Contains("apt-get install -y postgresql-15", error.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresServer.BinDirectoryVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_StopsTheServerAndDeletesItsDirectory()
    {
        var server = await PostgresServer.StartAsync(Ct);
        var root = server.RootDirectory;
        var connectionString = server.ConnectionString;
        Assert.Equal(13L, await Database.ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleansquery"));

        await server.DisposeAsync();

        Assert.False(Directory.Exists(root));
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 2 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync(Ct));
    }
}
