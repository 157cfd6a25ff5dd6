using Grpc.Net.Client;
using IronOrleans.PacketCore.Grpc.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronOrleans.PacketCore.Daemon.Tests.Infrastructure;

/// <summary>
/// The daemon's real host (same wiring as Program.cs) started in-process on an ephemeral 127.0.0.1 port,
/// reached over a real h2c socket.
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private DaemonHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Client = new DPDKironcore.DPDKironcoreClient(Channel);
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public DPDKironcore.DPDKironcoreClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Host underlay of the in-memory daemon used by the contract tests.</summary>
    public const string HostUnderlay = "fc00:1::1";

    /// <summary>In-memory ports: uplink "up0", VM ports "vf0".."vf3" (TAP names "tap-vf0".. as vf.name).</summary>
    public static readonly string[] InMemoryArgs =
    [
        "--port-backend=inmemory", "--ipv6=" + HostUnderlay, "--pf0=up0,02:00:00:00:00:01",
        "--vf=vf0,02:00:00:00:01:00", "--vf=vf1,02:00:00:00:01:01", "--vf=vf2,02:00:00:00:01:02", "--vf=vf3,02:00:00:00:01:03",
    ];

    /// <summary>Starts an in-memory daemon on an ephemeral port.</summary>
    public static Task<DaemonHost> StartAsync() => StartWithAsync(InMemoryArgs);

    /// <summary>Starts a daemon with exactly <paramref name="args"/> (plus an ephemeral 127.0.0.1 port).</summary>
    public static async Task<DaemonHost> StartWithAsync(params string[] args)
    {
        string[] all = ["--grpc-port=0", "--grpc-address=127.0.0.1", .. args];
        var builder = WebApplication.CreateSlimBuilder(all);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddPacketCoreDaemon(all);
        var app = builder.Build();
        app.MapPacketCoreDaemon();
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

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        return new DaemonHost(app, new Uri(address));
    }

    /// <summary>Starts an in-memory daemon and calls Initialize.</summary>
    public static Task<DaemonHost> StartInitializedAsync() => StartInitializedWithAsync(InMemoryArgs);

    /// <summary>Starts a daemon with <paramref name="args"/> and calls Initialize.</summary>
    public static async Task<DaemonHost> StartInitializedWithAsync(params string[] args)
    {
        var host = await StartWithAsync(args);
        try
        {
            await host.Client.InitializeAsync(new InitializeRequest(), cancellationToken: TestContext.Current.CancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await App.StopAsync(cts.Token);
        }
        finally
        {
            await App.DisposeAsync();
        }
    }
}
