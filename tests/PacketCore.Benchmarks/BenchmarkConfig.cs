using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Validators;

namespace IronOrleans.PacketCore.Benchmarks;

/// <summary>
/// Shared configuration: in-process (no child project build on a shared 2-core machine), memory diagnoser (must report
/// 0 B), JIT-optimization validator, and an operations-per-second column (packets/s, since OperationsPerInvoke = burst).
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>A short job (3 warm-ups, 8 iterations) so the whole suite finishes in a few minutes.</summary>
    public static IConfig Default() => Base()
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithLaunchCount(1)
            .WithId("Short"));

    /// <summary>Each benchmark once, to prove it runs (CI).</summary>
    public static IConfig Validation() => Base()
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Validate"));

    private static ManualConfig Base()
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddValidator(JitOptimizationsValidator.FailOnError)
            .AddColumn(StatisticColumn.OperationsPerSecond);
        config.Options |= ConfigOptions.DisableLogFile;
        return config;
    }
}
