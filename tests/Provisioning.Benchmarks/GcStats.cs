using System.Globalization;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>This process's garbage-collection counters at one moment (every pause stops every silo hosted here).</summary>
internal readonly record struct GcStats(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
{
    public static GcStats Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

    /// <summary>What happened since <paramref name="before"/>, over <paramref name="window"/>.</summary>
    public string Since(GcStats before, TimeSpan window)
    {
        // CollectionCount(n) counts collections of generation n or higher.
        var gen2 = Gen2 - before.Gen2;
        var gen1 = Gen1 - before.Gen1 - gen2;
        var gen0 = Gen0 - before.Gen0 - gen1 - gen2;
        var count = gen0 + gen1 + gen2;
        var paused = Paused - before.Paused;
        return string.Create(CultureInfo.InvariantCulture,
            $"  - GC: {gen0} gen0, {gen1} gen1, {gen2} gen2 collections; paused {paused.TotalSeconds:0.00} s in all ({paused / window * 100:0.0} % of the run, "
            + $"mean {(count == 0 ? 0 : paused.TotalMilliseconds / count):0} ms); allocated {(Allocated - before.Allocated) / window.TotalSeconds / 1e6:0} MB/s");
    }
}
