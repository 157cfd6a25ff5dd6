using System.Diagnostics;

namespace IronOrleans.PacketCore.Benchmarks;

/// <summary>A stopwatch measurement of every scenario (about a second each), for quick iteration; not a substitute for BenchmarkDotNet.</summary>
internal static class QuickRun
{
    /// <param name="only">Runs only scenarios whose name contains this text (null = all).</param>
    public static void Run(string? only)
    {
        var benchmarks = new ForwardingBenchmarks();
        benchmarks.Setup();
        try
        {
            Measure(only, "trivial forward (swap MACs)", benchmarks.TrivialForward);
            Measure(only, "(a) VM->VM local", benchmarks.VmToVmLocal);
            Measure(only, "(b) VM->remote encap", benchmarks.VmToRemoteEncap);
            Measure(only, "(b) encap, 1024 flows", benchmarks.VmToRemoteEncapManyFlows);
            Measure(only, "(c) uplink->VM decap", benchmarks.UplinkToVmDecap);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static void Measure(string? only, string name, Func<int> burst)
    {
        if (only is not null && !name.Contains(only, StringComparison.Ordinal))
        {
            return;
        }

        for (var i = 0; i < 20_000; i++)
        {
            burst();
        }

        var bursts = only is null ? 200_000 : 2_000_000;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        long packets = 0;
        for (var i = 0; i < bursts; i++)
        {
            packets += burst();
        }

        stopwatch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var nanoseconds = stopwatch.Elapsed.TotalNanoseconds / packets;
        Console.WriteLine($"{name,-30} {nanoseconds,7:F1} ns/packet {1000 / nanoseconds,7:F2} Mpps  allocated {allocated} B");
    }
}
