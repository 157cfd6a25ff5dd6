using IronOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronOrleans.ControlPlane.Benchmarks;

/// <summary>
/// A throwaway control plane on loopback: PostgreSQL (tests/Testing), one silo built with the Silo host's own
/// <c>AddIronOrleansSilo</c>, and the Gateway built with its own <c>AddIronOrleansGateway</c>, joined through the
/// PostgreSQL membership table. Everything is torn down on dispose.
/// </summary>
internal sealed class ControlPlaneEnvironment : IAsyncDisposable
{
    /// <summary>Public pool of the harness (65,536 addresses).</summary>
    public const string PublicPrefix = "100.64.0.0/16";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private PostgresServer? _postgres;
    private IHost? _silo;
    private WebApplication? _gateway;

    public Uri GatewayAddress { get; private set; } = null!;

    /// <summary>The silo's own grain factory (in-process calls, no Gateway).</summary>
    public IGrainFactory Grains => _silo!.Services.GetRequiredService<IGrainFactory>();

    public static async Task<ControlPlaneEnvironment> StartAsync()
    {
        var environment = new ControlPlaneEnvironment();
        try
        {
            environment._postgres = await PostgresServer.StartAsync();
            var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
            environment._silo = await StartSiloAsync(environment._postgres.ConnectionString, clusterId);
            environment._gateway = await StartGatewayAsync(environment._postgres.ConnectionString, clusterId);
            environment.GatewayAddress = new Uri(environment._gateway.Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    private static async Task<IHost> StartSiloAsync(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ironorleans"] = connectionString,
            ["IronOrleans:Silo:ClusterId"] = clusterId,
            ["IronOrleans:Silo:ServiceId"] = clusterId,
            ["IronOrleans:Silo:SiloPort"] = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["IronOrleans:Silo:GatewayPort"] = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["IronOrleans:Silo:AdvertisedIPAddress"] = "127.0.0.1",
            ["IronOrleans:Allocation:PublicPrefixes:0"] = PublicPrefix,
        });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddIronOrleansSilo();
        var host = builder.Build();
        using var cts = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(cts.Token);
        return host;
    }

    private static async Task<WebApplication> StartGatewayAsync(string connectionString, string clusterId)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IronOrleans:Gateway:Url"] = "http://127.0.0.1:0",
            ["IronOrleans:Gateway:ConnectionString"] = connectionString,
            ["IronOrleans:Gateway:ClusterId"] = clusterId,
            ["IronOrleans:Gateway:ServiceId"] = clusterId,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddIronOrleansGateway();
        var app = builder.Build();
        app.MapIronOrleansGateway();
        using var cts = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(cts.Token);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (_gateway is not null)
        {
            await _gateway.StopAsync(cts.Token);
            await _gateway.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.StopAsync(cts.Token);
            _silo.Dispose();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
