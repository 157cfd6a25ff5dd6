using IronOrleans.Silo.Tests.Grains;
using IronOrleans.Testing;
using Orleans.TestingHost;

namespace IronOrleans.Silo.Tests;

/// <summary>A 2-silo TestingHost cluster whose membership and storage are in its own PostgreSQL database.</summary>
public sealed class TwoSiloClusterFixture(PostgresServerFixture postgres) : IAsyncLifetime
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("Cluster not deployed.");

    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// Deployments tried before giving up. Orleans 10.4's distributed grain directory, the default directory of
    /// <see cref="TestClusterBuilder"/> silos, sometimes fails to apply a membership update while the cluster starts (a
    /// silo logs "Error processing membership updates", an <c>ArgumentException</c> from
    /// <c>GrainDirectoryPartition.ProcessMembershipUpdate</c>) and then places no grain for the cluster's lifetime: 2 of
    /// 12 starts on the 2-core development machine, which failed every test of this fixture after 30 s each.
    /// </summary>
    private const int MaxDeployments = 3;

    private static readonly TimeSpan PlacementProbeTimeout = TimeSpan.FromSeconds(15);

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await postgres.Server.CreateDatabaseAsync("cluster");
        for (var deployment = 1; ; deployment++)
        {
            var cluster = new TestClusterBuilder(2)
                .UseIronOrleansPostgres(ConnectionString)
                .AddSiloBuilderConfigurator<DeleteOnClearStorage>()
                .Build();
            try
            {
                await cluster.DeployAsync();
                if (await PlacesGrainsAsync(cluster))
                {
                    _cluster = cluster;
                    return;
                }
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }

            await cluster.StopAllSilosAsync(); // stopping a wedged cluster completed in both failed runs
            await cluster.DisposeAsync();
            if (deployment == MaxDeployments)
            {
                throw new InvalidOperationException(
                    $"{MaxDeployments} freshly deployed 2-silo clusters could not activate a grain within {PlacementProbeTimeout.TotalSeconds:0} s; see the silo logs under logs/.");
            }
        }
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

    /// <summary>Whether the cluster activates grains (read-only calls, nothing is written) across the directory's key range.</summary>
    private static async Task<bool> PlacesGrainsAsync(TestCluster cluster)
    {
        var probes = Enumerable.Range(0, 8).Select(_ => cluster.Client.GetGrain<ICounterGrain>("placement-probe-" + Guid.NewGuid().ToString("N")).Get());
        try
        {
            await Task.WhenAll(probes).WaitAsync(PlacementProbeTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
