using Grpc.Net.Client;
using IronOrleans.Grains;
using IronOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

[assembly: AssemblyFixture(typeof(IronOrleans.Gateway.Tests.Infrastructure.GatewayFixture))]

namespace IronOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// The whole path under test, started once per test run: a throwaway PostgreSQL server, a 2-silo TestingHost cluster
/// running the real grains on it (ADO.NET clustering, storage and transactions), and the Gateway's real host (same
/// wiring as its Program.cs) on 127.0.0.1 with a free port, its own Orleans client joining the cluster through the
/// membership table. Tests reach it over a real h2c socket.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    /// <summary>A tiny IPv6 public pool, so the exhaustion test can use it up quickly.</summary>
    public const string SmallIpv6Pool = "2001:db8:77::/126";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public PostgresServer Postgres { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public WebApplication Gateway { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The cluster's own client, used as the node agent would (status reports).</summary>
    public IControlPlaneGrain ControlPlane => Cluster.Client.GetGrain<IControlPlaneGrain>(0);

    public async ValueTask InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        var builder = new TestClusterBuilder(2);
        builder.Options.ServiceId = "gateway-tests-" + Guid.NewGuid().ToString("N")[..8];

        // The Gateway is a separate Orleans client reaching the silos over real sockets.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.UseIronOrleansPostgres(Postgres.ConnectionString);

        // Node events reach the Gateway's watches by push (INodeGrain.WatchAsync); with the stream's queue poll at ten
        // minutes, the stream fallback cannot deliver them in a test's time, so the watch tests check the push path.
        builder.Properties[IronOrleansNames.StreamPollPeriodKey] = "00:10:00";
        builder.AddSiloBuilderConfigurator<PoolConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        Gateway = await StartGatewayAsync(Postgres.ConnectionString, Cluster.Options.ClusterId, Cluster.Options.ServiceId);
        Address = new Uri(Gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Channel = GrpcChannel.ForAddress(Address);
    }

    /// <summary>Starts the Gateway host exactly as Program.cs does, configured for this cluster.</summary>
    public static async Task<WebApplication> StartGatewayAsync(string connectionString, string clusterId, string serviceId)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });

        // Only this configuration: the test output folder also holds other hosts' appsettings files.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IronOrleans:Gateway:Url"] = "http://127.0.0.1:0",
            ["IronOrleans:Gateway:ConnectionString"] = connectionString,
            ["IronOrleans:Gateway:ClusterId"] = clusterId,
            ["IronOrleans:Gateway:ServiceId"] = serviceId,
            ["IronOrleans:Gateway:ConnectTimeout"] = "00:01:00",
            ["IronOrleans:Gateway:DefaultPageSize"] = "50",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddIronOrleansGateway();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapIronOrleansGateway();
        using var cts = new CancellationTokenSource(StartTimeout);
        try
        {
            await app.StartAsync(cts.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    public async ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        if (Gateway is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await Gateway.StopAsync(cts.Token);
            }
            finally
            {
                await Gateway.DisposeAsync();
            }
        }

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

    private sealed class PoolConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIronOrleansGrains(o =>
        {
            o.PublicPrefixes.Clear();
            o.PublicPrefixes.Add("198.51.100.0/24");
            o.PublicPrefixes.Add(SmallIpv6Pool);
            o.PublicIpShardSize = 64;
        });
    }
}
