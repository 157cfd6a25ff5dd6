using System.Globalization;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>Command-line options of the provisioning benchmark.</summary>
internal sealed record BenchmarkOptions
{
    /// <summary>PacketCore refuses more than 1024 routes per address family in one VNI (dpservice's limit).</summary>
    public const int MaxRoutesPerVni = 1024;

    /// <summary>Measured NICs.</summary>
    public int Count { get; init; } = 10_000;

    /// <summary>gRPC provider clients (channels); in closed loop (<see cref="Rate"/> 0) each has one NIC in flight.</summary>
    public int Clients { get; init; } = 32;

    /// <summary>
    /// Open-loop arrival rate in NICs per second: NIC i starts at i / rate seconds whatever the others are doing, so the
    /// latency is what one VM start sees at that load. 0 = closed loop (<see cref="Clients"/> clients, each waits for its
    /// NIC before the next), which measures saturation throughput and the queueing it causes.
    /// </summary>
    public double Rate { get; init; } = 50;

    /// <summary>Simulated hypervisors that take NICs.</summary>
    public int Nodes { get; init; } = 20;

    /// <summary>NodeAgent silos the hypervisors are spread over (several nodes per silo).</summary>
    public int AgentSilos { get; init; } = 4;

    /// <summary>Networks (VNIs) the NICs are spread over; 0 = one network per 500 NICs.</summary>
    public int Networks { get; init; }

    /// <summary>Nodes subscribed to the convergence VNI.</summary>
    public int Subscribers { get; init; } = 50;

    /// <summary>Announcements measured in the convergence scenario.</summary>
    public int Announcements { get; init; } = 200;

    /// <summary>The NodeAgents' tick interval; null = the production default (NodeAgentOptions.TickInterval).</summary>
    public TimeSpan? TickInterval { get; init; }

    /// <summary>
    /// The stream pulling agents' queue poll period on every silo; null = the production default
    /// (<c>IronOrleans:Streams:PollPeriod</c>, 100 ms). Shows how much of the latency is stream delivery.
    /// </summary>
    public TimeSpan? StreamPoll { get; init; }

    /// <summary>Upper bound on one NIC's (or one announcement's) wait; a longer wait is a failure.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on the dead-node scenario's wait.</summary>
    public TimeSpan DeadNodeTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary><c>all</c>, <c>provision</c>, <c>converge</c> or <c>dead-node</c>.</summary>
    public string Scenario { get; init; } = "all";

    public bool Quick { get; init; }

    /// <summary>Turn the kernel's running DAMON monitors off for the run and back on afterwards (<see cref="Damon"/>; needs root).</summary>
    public bool PauseDamon { get; init; }

    public int EffectiveNetworks => Networks > 0 ? Networks : Math.Max(1, (Count + 499) / 500);

    public const string Usage =
        "usage: IronOrleans.Provisioning.Benchmarks [--quick] [--count N=10000] [--rate NICs/s=50, 0 = closed loop] [--clients N=32] [--nodes N=20] [--agent-silos N=4] "
        + "[--networks N=count/500] [--subscribers N=50] [--announcements N=200] [--tick 2s] [--stream-poll 100ms] [--timeout 30s] [--dead-node-timeout 120s] "
        + "[--scenario all|provision|converge|dead-node] [--pause-damon]";

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions();
        if (args.Contains("--quick"))
        {
            options = options with { Quick = true, Count = 500, Announcements = 50 };
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick")
            {
                continue;
            }

            if (args[i] == "--pause-damon")
            {
                options = options with { PauseDamon = true };
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--count" => options with { Count = Positive(value, args[i]) },
                "--clients" => options with { Clients = Positive(value, args[i]) },
                "--rate" => options with
                {
                    Rate = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate >= 0 && double.IsFinite(rate)
                        ? rate
                        : throw new ArgumentException($"--rate takes NICs per second (0 = closed loop). {Usage}"),
                },
                "--nodes" => options with { Nodes = Positive(value, args[i]) },
                "--agent-silos" => options with { AgentSilos = Positive(value, args[i]) },
                "--networks" => options with { Networks = Positive(value, args[i]) },
                "--subscribers" => options with { Subscribers = Positive(value, args[i]) },
                "--announcements" => options with { Announcements = Positive(value, args[i]) },
                "--tick" => options with { TickInterval = Seconds(value, args[i]) },
                "--stream-poll" => options with { StreamPoll = Seconds(value, args[i]) },
                "--timeout" => options with { Timeout = Seconds(value, args[i]) },
                "--dead-node-timeout" => options with { DeadNodeTimeout = Seconds(value, args[i]) },
                "--scenario" => options with
                {
                    Scenario = value is "all" or "provision" or "converge" or "dead-node" ? value : throw new ArgumentException(Usage),
                },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
            i++;
        }

        // Per node and VNI PacketCore holds the VNI's NICs as host or external routes (+ seeds, the victim's NIC, announcements).
        var perNetwork = (options.Count + options.EffectiveNetworks - 1) / options.EffectiveNetworks;
        if (perNetwork + options.Nodes + 1 > MaxRoutesPerVni)
        {
            throw new ArgumentException(
                $"{perNetwork} NICs per network plus {options.Nodes} seeds exceed PacketCore's {MaxRoutesPerVni} routes per VNI; raise --networks");
        }

        if (options.EffectiveNetworks > 200 || options.Subscribers > 250 || options.Announcements + options.Subscribers > MaxRoutesPerVni - 8)
        {
            throw new ArgumentException($"at most 200 networks, 250 subscribers, and announcements + subscribers below {MaxRoutesPerVni - 8}. {Usage}");
        }

        if (options.AgentSilos > options.Nodes)
        {
            throw new ArgumentException($"--agent-silos must not exceed --nodes. {Usage}");
        }

        return options;
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer. {Usage}");

    private static TimeSpan Seconds(string value, string name)
    {
        var seconds = value.EndsWith("ms", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('s') ? value[..^1] : value;
        var scale = value.EndsWith("ms", StringComparison.Ordinal) ? 0.001 : 1;
        return double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s * scale)
            : throw new ArgumentException($"{name} takes seconds (e.g. 30s) or milliseconds (e.g. 200ms). {Usage}");
    }
}
