using IronOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace IronOrleans.Grains.Tests;

/// <summary>
/// One throwaway PostgreSQL server and one 2-silo test cluster whose grain and transactional state live in it.
/// Public pools: IPv4 198.51.100.0/22 (1,024 addresses, for the concurrency tests) and IPv6
/// 2001:db8:5::/125 (8 addresses, reserved for the exhaustion test).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    internal const string ConnectionStringKey = "IronOrleansTests:ConnectionString";

    public PostgresServer Postgres { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public IControlPlaneGrain ControlPlane => Cluster.Client.GetGrain<IControlPlaneGrain>(0);

    public async ValueTask InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        Cluster = await StartClusterAsync(Postgres.ConnectionString);
    }

    /// <summary>Starts a cluster on the given database (tests that restart use it for a second cluster).</summary>
    public static async Task<TestCluster> StartClusterAsync(string connectionString, short silos = 2, string? serviceId = null)
    {
        var builder = new TestClusterBuilder(silos);

        // Grain state is keyed by service id: a restarted cluster must use the same one to see its state.
        builder.Options.ServiceId = serviceId ?? "ironorleans-tests-" + Guid.NewGuid().ToString("N")[..8];
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionStringKey]
                ?? throw new InvalidOperationException("the test cluster has no connection string");
            siloBuilder.AddIronOrleansPostgresStorage(connectionString);
            siloBuilder.AddIronOrleansGrains(o =>
            {
                o.PublicPrefixes.Clear();
                o.PublicPrefixes.Add("198.51.100.0/22");
                o.PublicPrefixes.Add("2001:db8:5::/125");
                o.PublicIpShardSize = 128;
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
            => clientBuilder.UseTransactions();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
