using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IronOrleans.Gateway.Hosting;

/// <summary>
/// Healthy only while the Orleans client is connected to at least one silo gateway: the Gateway reports
/// <c>SERVING</c> through <c>grpc.health.v1</c> only when it can reach the control plane.
/// </summary>
internal sealed partial class ClusterConnectionHealth(ILogger<ClusterConnectionHealth> logger) : IHealthCheck, IClusterConnectionStatusObserver
{
    /// <summary>Tag of the health checks that gate the gRPC services.</summary>
    public const string Tag = "orleans";

    private volatile bool _started;
    private volatile bool _connected;
    private volatile bool _stopping;

    /// <summary>True once the client has connected and while it has a gateway.</summary>
    public bool IsConnected => _started && _connected;

    /// <summary>Called once the Orleans client finished connecting at start-up.</summary>
    public void OnClientStarted()
    {
        _connected = true;
        _started = true;
        LogConnected(logger);
    }

    /// <summary>Called when the Gateway begins to stop: report not serving, so load balancers drain it first.</summary>
    public void OnStopping()
    {
        _stopping = true;
        _connected = false;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsConnected
            ? HealthCheckResult.Healthy("connected to the Orleans cluster")
            : HealthCheckResult.Unhealthy(_stopping ? "the gateway is stopping"
                : _started ? "lost the connection to the Orleans cluster" : "not yet connected to the Orleans cluster"));

    /// <inheritdoc />
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        _connected = currentNumberOfGateways > 0 && !_stopping;
        LogGatewayCountChanged(logger, previousNumberOfGateways, currentNumberOfGateways);
    }

    /// <inheritdoc />
    public void NotifyClusterConnectionLost()
    {
        _connected = false;
        if (!_stopping)
        {
            LogConnectionLost(logger);
        }
    }
}
