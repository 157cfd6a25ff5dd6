using System.Diagnostics;
using System.Globalization;

namespace IronOrleans.Testing;

/// <summary>A sorted set of latencies (Stopwatch ticks) with nearest-rank percentiles, shared by the load harnesses.</summary>
public sealed class Latencies
{
    private readonly long[] _sorted;

    public Latencies(IEnumerable<long> ticks)
    {
        _sorted = [.. ticks];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double PercentileMs(double p)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Ceiling(p / 100 * _sorted.Length) - 1;
        return ToMs(_sorted[Math.Clamp(index, 0, _sorted.Length - 1)]);
    }

    public double MaxMs => _sorted.Length == 0 ? double.NaN : ToMs(_sorted[^1]);

    public string Summary() => Count == 0
        ? "n/a"
        : string.Create(CultureInfo.InvariantCulture,
            $"p50 {PercentileMs(50):0.0} / p95 {PercentileMs(95):0.0} / p99 {PercentileMs(99):0.0} / max {MaxMs:0.0} ms (n={Count})");

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
