using System.Globalization;

namespace IronOrleans.ControlPlane.Benchmarks;

/// <summary>Command-line options of the load harness.</summary>
internal sealed record BenchmarkOptions
{
    public int Clients { get; init; } = 64;

    /// <summary>Operations per scenario.</summary>
    public int Count { get; init; } = 20_000;

    /// <summary>Upper bound on the time of one scenario; the scenario stops issuing calls after it.</summary>
    public TimeSpan DurationLimit { get; init; } = TimeSpan.FromSeconds(120);

    public int Networks { get; init; } = 4;

    public int Nodes { get; init; } = 20;

    /// <summary>
    /// Operations run with the same clients before each scenario and not measured (bounded by <see cref="WarmupLimit"/>),
    /// so the numbers are those of a warm process (JIT tiering done, connections and activations in place), as a
    /// long-running silo is. 0 = a single call.
    /// </summary>
    public int Warmup { get; init; } = 2_000;

    /// <summary>Upper bound on the time of one warm-up.</summary>
    public static readonly TimeSpan WarmupLimit = TimeSpan.FromSeconds(30);

    /// <summary><c>all</c>, <c>vip</c>, <c>nic</c>, or <c>storage</c> (the grain-storage floor, in-process, not part of <c>all</c>).</summary>
    public string Scenario { get; init; } = "all";

    public const string Usage =
        "usage: IronOrleans.ControlPlane.Benchmarks [--clients N=64] [--count N=20000] [--duration-limit 120s] "
        + "[--networks N=4] [--nodes N=20] [--warmup N=2000] [--scenario all|vip|nic|storage]";

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--clients" => options with { Clients = Positive(value, args[i]) },
                "--count" => options with { Count = Positive(value, args[i]) },
                "--duration-limit" => options with { DurationLimit = ParseDuration(value) },
                "--networks" => options with { Networks = Positive(value, args[i]) },
                "--nodes" => options with { Nodes = Positive(value, args[i]) },
                "--warmup" => options with { Warmup = value == "0" ? 0 : Positive(value, args[i]) },
                "--scenario" => options with { Scenario = value is "all" or "vip" or "nic" or "storage" ? value : throw new ArgumentException(Usage) },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
            i++;
        }

        if ((options.Count + options.Warmup) / options.Networks > 60_000)
        {
            throw new ArgumentException("at most 60000 interfaces per network (the harness numbers IPs inside one /16)");
        }

        return options;
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer. {Usage}");

    private static TimeSpan ParseDuration(string value)
    {
        var seconds = value.EndsWith('s') ? value[..^1] : value;
        return double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"--duration-limit takes seconds, e.g. 120s. {Usage}");
    }
}
