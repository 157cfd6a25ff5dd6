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

    /// <summary>Starts a daemon with <paramref name="args"/> appended to <c>--grpc-port=0</c>.</summary>
    public static async Task<DaemonHost> StartAsync(params string[] args)
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

    /// <summary>Starts a daemon and calls Initialize.</summary>
    public static async Task<DaemonHost> StartInitializedAsync(params string[] args)
    {
        var host = await StartAsync(args);
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
