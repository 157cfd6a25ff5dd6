using System.Diagnostics;
using System.Globalization;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// Finds the moments this process stood still: a high-priority thread sleeps 1 ms at a time and records every wake-up that
/// came more than <see cref="Threshold"/> late, with the GC pause time that accrued meanwhile. A stall hits every silo,
/// the Gateway and the clients of this process at once, so overlaying stalls on the slow NICs' lifetimes tells whether the
/// tail is the process stopping (GC, CPU starvation) or work queueing inside the cluster.
/// </summary>
internal sealed class StallWatch : IDisposable
{
    private static readonly long Threshold = Stopwatch.Frequency * 5 / 1000;
    private readonly List<Stall> _stalls = [];
    private readonly Thread _thread;
    private volatile bool _stop;

    public StallWatch()
    {
        _thread = new Thread(Run) { IsBackground = true, Priority = ThreadPriority.Highest, Name = "stall-watch" };
        _thread.Start();
    }

    /// <summary>One late wake-up: when it began, how long the thread overslept, and the GC pause time within.</summary>
    public readonly record struct Stall(long Start, long Ticks, TimeSpan GcPause);

    public Stall[] Snapshot()
    {
        lock (_stalls)
        {
            return [.. _stalls];
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    /// <summary>
    /// Report lines for the window [<paramref name="from"/>, <paramref name="to"/>] and the NICs' lifetimes
    /// (start tick, done tick): stall totals, then how much stall time the NICs above the p95 spent inside, against the rest.
    /// </summary>
    public IEnumerable<string> Lines(long from, long to, IReadOnlyList<(long Start, long Done)> nics)
    {
        var stalls = Snapshot().Where(s => s.Start >= from && s.Start <= to).ToArray();
        if (Environment.GetEnvironmentVariable("IRONORLEANS_BENCH_STALLS") is { Length: > 0 } path)
        {
            // Diagnosis: one line per stall (ms since the window opened, ms stalled, ms of GC pause within) for offline analysis.
            File.WriteAllLines(path, stalls.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{Stopwatch.GetElapsedTime(from, s.Start).TotalMilliseconds:0.0} {Stopwatch.GetElapsedTime(0, s.Ticks).TotalMilliseconds:0.0} {s.GcPause.TotalMilliseconds:0.0}")));
        }

        var window = Stopwatch.GetElapsedTime(from, to);
        var total = TimeSpan.FromTicks(stalls.Sum(s => Stopwatch.GetElapsedTime(0, s.Ticks).Ticks));
        var gc = TimeSpan.FromTicks(stalls.Sum(s => s.GcPause.Ticks));
        var big = stalls.Count(s => s.Ticks > Stopwatch.Frequency / 50);
        yield return string.Create(CultureInfo.InvariantCulture,
            $"  - stalls (the process stood still > 5 ms): {stalls.Length}, {big} of them > 20 ms, {total.TotalSeconds:0.00} s in all "
            + $"({total / window * 100:0.0} % of the run), {gc.TotalSeconds:0.00} s of it GC pause; longest {Longest(stalls):0} ms");
        if (nics.Count < 20)
        {
            yield break;
        }

        var starts = stalls.Select(s => s.Start).ToArray();
        double Overlap((long Start, long Done) nic)
        {
            var sum = 0L;
            var i = Array.BinarySearch(starts, nic.Start);
            i = Math.Max(0, (i < 0 ? ~i : i) - 1);
            for (; i < stalls.Length && stalls[i].Start < nic.Done; i++)
            {
                var begin = Math.Max(stalls[i].Start, nic.Start);
                var end = Math.Min(stalls[i].Start + stalls[i].Ticks, nic.Done);
                sum += Math.Max(0, end - begin);
            }

            return Stopwatch.GetElapsedTime(0, sum).TotalMilliseconds;
        }

        var ordered = nics.OrderBy(n => n.Done - n.Start).ToArray();
        var p95 = ordered.Length * 95 / 100;
        var slow = ordered[p95..].Select(Overlap).ToArray();
        var fast = ordered[..p95].Select(Overlap).ToArray();
        var slowLatency = ordered[p95..].Average(n => Stopwatch.GetElapsedTime(n.Start, n.Done).TotalMilliseconds);
        yield return string.Create(CultureInfo.InvariantCulture,
            $"  - NICs above the p95 ({slow.Length}, mean {slowLatency:0.0} ms): mean {slow.Average():0.0} ms of stall inside their lifetime, "
            + $"{slow.Count(o => o >= 20) * 100.0 / slow.Length:0} % of them ≥ 20 ms; the other NICs: mean {fast.Average():0.0} ms");
    }

    private static double Longest(Stall[] stalls) => stalls.Length == 0 ? 0 : stalls.Max(s => Stopwatch.GetElapsedTime(0, s.Ticks).TotalMilliseconds);

    private void Run()
    {
        var last = Stopwatch.GetTimestamp();
        var lastPause = GC.GetTotalPauseDuration();
        while (!_stop)
        {
            Thread.Sleep(1);
            var now = Stopwatch.GetTimestamp();
            var pause = GC.GetTotalPauseDuration();

            // Sleep(1) itself takes ~1-2 ms; anything beyond the threshold is time the thread could not run.
            var late = now - last - Stopwatch.Frequency / 1000;
            if (late > Threshold)
            {
                lock (_stalls)
                {
                    _stalls.Add(new Stall(last + Stopwatch.Frequency / 1000, late, pause - lastPause));
                }
            }

            last = now;
            lastPause = pause;
        }
    }
}
