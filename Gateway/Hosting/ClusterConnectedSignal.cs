using Microsoft.Extensions.Options;

namespace IronOrleans.Gateway.Hosting;

/// <summary>
/// Registered after the Orleans client's hosted service: hosted services start in order, so this runs once the
/// client has connected, marks the Gateway healthy and logs where it listens.
/// </summary>
internal sealed partial class ClusterConnectedSignal(
    ClusterConnectionHealth health, IOptions<GatewayHostOptions> options, IConfiguration configuration, ILogger<ClusterConnectedSignal> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        health.OnClientStarted();
        var mode = options.Value.ResolveClustering(!string.IsNullOrWhiteSpace(configuration[GatewayHostingExtensions.OrleansClusteringProviderTypeKey]));
        LogStarted(logger, options.Value.Url, mode.ToString());
        return Task.CompletedTask;
    }

    // Hosted services stop in reverse order, so this runs before the Orleans client disconnects.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        health.OnStopping();
        return Task.CompletedTask;
    }
}
