using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IronOrleans.AppHost;

/// <summary>Healthy once PostgreSQL answers <c>SELECT 1</c> (accepting TCP is not enough: it may still be starting up).</summary>
internal sealed class PostgresReadyHealthCheck(LocalPostgres postgres) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await postgres.IsReadyAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"accepting connections on 127.0.0.1:{postgres.Port}")
            : HealthCheckResult.Unhealthy($"not accepting connections on 127.0.0.1:{postgres.Port} yet");
}

/// <summary>
/// Healthy when <c>GET /health</c> over HTTP/2 without TLS (prior knowledge) answers 200: the check for services whose
/// only endpoint is h2c, such as the Gateway, which Aspire's HTTP/1.1 health check cannot reach.
/// </summary>
internal sealed class H2cHealthCheck(Uri healthUri) : IHealthCheck
{
    // One client for the AppHost's lifetime; the checks run every few seconds.
    private static readonly HttpClient s_client = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(5),
    };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await s_client.GetAsync(healthUri, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{healthUri} answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            return HealthCheckResult.Unhealthy($"{healthUri} is not reachable: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{healthUri} timed out");
        }
    }
}
