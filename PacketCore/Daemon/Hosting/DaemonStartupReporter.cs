using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace IronOrleans.PacketCore.Daemon.Hosting;

/// <summary>Prints the effective options and the bound gRPC address once the daemon is up.</summary>
internal sealed partial class DaemonStartupReporter(
    IOptions<DaemonOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<DaemonStartupReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
            LogStarted(logger, options.Value.GrpcAddress, options.Value.GrpcPort,
                addresses is null ? string.Empty : string.Join(", ", addresses));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
