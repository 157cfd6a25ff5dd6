using System.Diagnostics;

namespace IronOrleans.PacketCore.Benchmarks;

/// <summary>A stopwatch measurement of every scenario (about a second each), for quick iteration; not a substitute for BenchmarkDotNet.</summary>
internal static class QuickRun
{
    public static void Run()
    {
        var benchmarks = new ForwardingBenchmarks();
        benchmarks.Setup();
        try
        {
            Measure("trivial forward (swap MACs)", () => benchmarks.TrivialForward());
            Measure("(a) VM->VM local", () => benchmarks.VmToVmLocal());
            Measure("(b) VM->remote encap", () => benchmarks.VmToRemoteEncap());
            Measure("(c) uplink->VM decap", () => benchmarks.UplinkToVmDecap());
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static void Measure(string name, Func<int> burst)
    {
        for (var i = 0; i < 20_000; i++)
        {
            burst();
        }

        const int bursts = 200_000;
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
