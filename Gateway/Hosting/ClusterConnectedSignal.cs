namespace IronOrleans.Gateway.Hosting;

/// <summary>
/// Registered after the Orleans client's hosted service: hosted services start in order, so this runs once the
/// client has connected and marks the Gateway healthy.
/// </summary>
internal sealed class ClusterConnectedSignal(ClusterConnectionHealth health) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        health.OnClientStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
