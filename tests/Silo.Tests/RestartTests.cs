using IronOrleans.Silo.Tests.Grains;
using IronOrleans.Testing;
using Orleans.TestingHost;

namespace IronOrleans.Silo.Tests;

/// <summary>State survives stopping the whole cluster and starting a new one on the same database.</summary>
[Trait("Category", "Cluster")]
public sealed class RestartTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task GrainState_SurvivesFullClusterRestart()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("restart", cancellationToken: TestContext.Current.CancellationToken);
        var serviceId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var clusterId = "restart-cluster";
        var key = "survivor";

        await using (var first = await StartAsync(connectionString, clusterId, serviceId))
        {
            var grain = first.Client.GetGrain<ICounterGrain>(key);
            await grain.Increment();
            Assert.Equal(2, await grain.Increment());
            await first.StopAllSilosAsync();
        }

        // The graceful stop marked the old silo Dead in the membership table.
        Assert.Equal(1L, await Database.MembersAsync(connectionString, clusterId, status: 6));

        await using var second = await StartAsync(connectionString, clusterId, serviceId);
        Assert.Equal(2, await second.Client.GetGrain<ICounterGrain>(key).Get());
        Assert.Equal(1L, await Database.MembersAsync(connectionString, clusterId, status: 3));
    }

    private static async Task<TestCluster> StartAsync(string connectionString, string clusterId, string serviceId)
    {
        var builder = new TestClusterBuilder(1).UseIronOrleansPostgres(connectionString);
        builder.Options.ClusterId = clusterId;
        builder.Options.ServiceId = serviceId;
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
