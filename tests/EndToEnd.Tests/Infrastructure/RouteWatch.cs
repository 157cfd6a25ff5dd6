using System.Globalization;

namespace IronOrleans.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Polls one daemon's routes every 100 ms (at most 2 minutes) and records every interval during which
/// <see cref="Route"/> was missing, so a test can say exactly when and for how long a node lost a route.
/// </summary>
public sealed class RouteWatch : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(DateTime From, DateTime? To)> _gaps = [];
    private readonly Task _loop;
    private int _polls;

    public RouteWatch(NodeRig node, uint vni, string route)
    {
        Node = node;
        Route = route;
        _loop = Task.Run(() => RunAsync(vni));
    }

    public NodeRig Node { get; }

    public string Route { get; }

    /// <summary>Intervals without the route (To is null while it is still missing).</summary>
    public IReadOnlyList<(DateTime From, DateTime? To)> Gaps
    {
        get
        {
            lock (_gaps)
            {
                return [.. _gaps];
            }
        }
    }

    public string Describe() =>
        Gaps.Count == 0
            ? $"{Node.Name} kept {Route} in all {_polls.ToString(CultureInfo.InvariantCulture)} polls"
            : $"{Node.Name} lacked {Route} " + string.Join(", ", Gaps.Select(g =>
                $"from {g.From:HH:mm:ss.fff} to {(g.To is { } to ? $"{to:HH:mm:ss.fff} ({(to - g.From).TotalMilliseconds:0} ms)" : "the end")}")) + " UTC";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task RunAsync(uint vni)
    {
        var deadline = DateTime.UtcNow + MaxDuration;
        var missingSince = (DateTime?)null;
        while (!_stop.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            bool present;
            try
            {
                present = (await Node.RoutesAsync(vni)).Contains(Route);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                present = true; // the daemon did not answer: no evidence either way
            }

            _polls++;
            var now = DateTime.UtcNow;
            lock (_gaps)
            {
                if (!present && missingSince is null)
                {
                    missingSince = now;
                    _gaps.Add((now, null));
                }
                else if (present && missingSince is not null)
                {
                    _gaps[^1] = (missingSince.Value, now);
                    missingSince = null;
                }
            }

            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
