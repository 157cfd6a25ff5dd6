using Microsoft.Extensions.Options;

namespace IronOrleans.Gateway.Hosting;

/// <summary>
/// Keeps retrying the first connection to the cluster (silos may start after the Gateway) for
/// <see cref="GatewayHostOptions.ConnectTimeout"/>, then lets start-up fail.
/// </summary>
internal sealed partial class ConnectRetryFilter(IOptions<GatewayHostOptions> options, TimeProvider time, ILogger<ConnectRetryFilter> logger)
    : IClientConnectionRetryFilter
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly long _startedAt = time.GetTimestamp();
    private int _attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempt);
        if (time.GetElapsedTime(_startedAt) >= options.Value.ConnectTimeout)
        {
            LogGaveUp(logger, attempt, options.Value.ConnectTimeout, exception);
            return false;
        }

        LogRetrying(logger, attempt, exception.Message);
        await Task.Delay(RetryDelay, time, cancellationToken);
        return true;
    }
}
