using IronOrleans.Testing;
using Orleans.TestingHost;

namespace IronOrleans.Silo.Tests;

/// <summary>A 2-silo TestingHost cluster whose membership and storage are in its own PostgreSQL database.</summary>
public sealed class TwoSiloClusterFixture(PostgresServerFixture postgres) : IAsyncLifetime
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("Cluster not deployed.");

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await postgres.Server.CreateDatabaseAsync("cluster");
        var cluster = new TestClusterBuilder(2)
            .UseIronOrleansPostgres(ConnectionString)
            .AddSiloBuilderConfigurator<DeleteOnClearStorage>()
            .Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        _cluster = cluster;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is { } cluster)
        {
            _cluster = null;
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
