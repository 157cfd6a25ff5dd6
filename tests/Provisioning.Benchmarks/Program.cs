using System.Diagnostics;
using System.Globalization;
using System.Text;
using IronOrleans.Provisioning.Benchmarks;
using IronOrleans.Testing;

// One command: PostgreSQL + control silo + Gateway + NodeAgent silos with in-process PacketCores (and a victim NodeAgent
// in a child process), then (1) NIC provisioning latency through the provider API until Ready and routed on every
// subscribing node, (2) route convergence to N subscribers, (3) dead-node route withdrawal. Prints a markdown table.
if (args is [AgentChild.Argument])
{
    return await AgentChild.RunAsync();
}

BenchmarkOptions options;
try
{
        options = BenchmarkOptions.Parse(args);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }

    Console.WriteLine(Damon.Describe());
    Damon? paused = null;
    if (options.PauseDamon)
    {
        try
        {
            paused = Damon.Pause();
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    using var damon = paused;
    if (damon is not null)
    {
        Console.WriteLine($"--pause-damon: {damon.Paused} monitor(s) turned off for this run (turned back on when it ends).");
    }

    var topology = new Topology(options);
    var run = options.Scenario;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Starting PostgreSQL, a control silo, the Gateway, {options.AgentSilos} NodeAgent silos ({options.Nodes} bench nodes + {options.Subscribers} convergence nodes, "
        + $"in-process PacketCores){(run is "all" or "dead-node" ? " and a victim NodeAgent process" : "")} ..."));
    var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    var environment = await ProvisioningEnvironment.StartAsync(topology);
    var clients = new GrpcClients(environment.GatewayAddress, options.Clients);
    var checks = new List<string>();
    ProvisionResult? provision = null;
    (Latencies Latencies, int Failures, string? Error)? converge = null;
    DeadNodeResult? dead = null;
    string[] writePhaseLines = [];
    try
    {

    var membership = environment.MembershipOptions;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Cluster up in {System.Diagnostics.Stopwatch.GetElapsedTime(startedAt).TotalSeconds:0.0} s. NodeAgent tick {environment.TickInterval.TotalMilliseconds:0} ms. "
        + $"Membership (IronOrleans production defaults, IronOrleansMembership): ProbeTimeout {membership.ProbeTimeout.TotalSeconds:0.#} s, NumMissedProbesLimit {membership.NumMissedProbesLimit}, "
        + $"NumProbedSilos {membership.NumProbedSilos}, NumVotesForDeathDeclaration {membership.NumVotesForDeathDeclaration}, "
        + $"TableRefreshTimeout {membership.TableRefreshTimeout.TotalSeconds:0.#} s, IAmAliveTablePublishTimeout {membership.IAmAliveTablePublishTimeout.TotalSeconds:0.#} s, "
        + $"DeathVoteExpirationTimeout {membership.DeathVoteExpirationTimeout.TotalSeconds:0.#} s, EnableIndirectProbes {membership.EnableIndirectProbes}. "
        + $"Stream queue poll period {environment.StreamPollPeriod.TotalMilliseconds:0} ms on the control silo, "
        + $"{environment.AgentStreamPollPeriod.TotalMilliseconds:0} ms on the NodeAgent silos{(options.StreamPoll is null ? " (production default)" : " (--stream-poll)")}."));

    var watched = topology.BenchNodes.Concat(topology.ConvNodes).Concat(run is "all" or "dead-node" ? [topology.Victim] : []).ToArray();
    await clients.WatchAsync(watched, environment.Tracker, TimeSpan.FromSeconds(60));
    var scenarios = new Scenarios(environment, options, clients);
    await scenarios.CreateNetworksAsync();

    // What the idle cluster costs (stream queue polling, membership, timers, the PacketCore workers): this process hosts
    // the control silo, the Gateway, the NodeAgent silos and their PacketCores.
    // It waits first so that start-up work (JIT tiering, first activations) is not counted.
    var idleWindow = TimeSpan.FromSeconds(20);
    await Task.Delay(TimeSpan.FromSeconds(10));
    var idleCpu = await CpuOverAsync(idleWindow);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Idle cluster CPU over {idleWindow.TotalSeconds:0} s: {idleCpu * 100:0.0} % of one core (stream poll {environment.StreamPollPeriod.TotalMilliseconds:0} ms)."));

    var seedFailures = 0;
    using var writePhases = new WritePhases();
    if (run is "all" or "provision" or "dead-node")
    {
        Console.WriteLine($"Seeding: one NIC per node in each of {topology.Networks} networks ({topology.Networks * topology.BenchNodes.Length} NICs, not measured) ...");
        seedFailures = await scenarios.SeedAsync();
        checks.Add(seedFailures == 0 ? "OK seed NICs Ready and routed everywhere" : $"FAIL {seedFailures} seed NICs failed");
    }

    if (run is "all" or "provision")
    {
        Console.WriteLine($"Provisioning {options.Count} NICs, {LoadOf(options)}, over {topology.BenchNodes.Length} nodes, {topology.Networks} networks ...");
        writePhases.Reset();
        var gcBefore = GcStats.Now();
        using var stalls = new StallWatch();
        var from = Stopwatch.GetTimestamp();
        provision = await scenarios.ProvisionAsync();
        writePhaseLines = [.. writePhases.Lines(), GcStats.Now().Since(gcBefore, provision.Duration),
            .. stalls.Lines(from, Stopwatch.GetTimestamp(), provision.Lifetimes)];
        if (scenarios.LateStarts > 0)
        {
            // Latency runs from each NIC's due time, so a late start is already in the numbers; many of them mean the
            // benchmark process, not the system under test, set the pace.
            var late = string.Create(CultureInfo.InvariantCulture, $"the benchmark started {scenarios.LateStarts} of {options.Count} NICs more than 10 ms late (max {scenarios.MaxStartLag.TotalMilliseconds:0.0} ms; latency is measured from the due time, so the lag is included)");
            checks.Add(scenarios.LateStarts * 100 > options.Count ? $"FAIL {late}: it cannot keep up with --rate {options.Rate}" : $"OK {late}");
        }

        var (problems, verified) = scenarios.VerifyEngines();
        checks.Add(problems.Count == 0
            ? $"OK PacketCore read-back: {verified} remote routes and every interface present on {topology.BenchNodes.Length} nodes, nothing extra"
            : $"FAIL PacketCore read-back: {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? $" (+{problems.Count - 10} more)" : "")}");
        checks.Add(await scenarios.CheckDuplicatesAsync(provision.Attempted + topology.Networks * topology.BenchNodes.Length));
    }

    if (run is "all" or "converge")
    {
        Console.WriteLine($"Convergence: {options.Announcements} announcements, one at a time, to a VNI with {options.Subscribers} subscribers ...");
        converge = await scenarios.ConvergeAsync();
        if (converge.Value.Error is { } e)
        {
            checks.Add("FAIL convergence set-up: " + e);
        }
    }

    if (run is "all" or "dead-node")
    {
        // What the cluster at rest costs with everything provisioned so far (agent ticks re-check every installed route).
        var restCpu = await CpuOverAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Cluster CPU at rest over 10 s before the dead-node scenario: {restCpu * 100:0.0} % of one core."));
        Console.WriteLine("Dead node: one NIC per network on the victim, then SIGKILL of its NodeAgent process ...");
        dead = await scenarios.DeadNodeAsync();
        if (dead.Error is { } e)
        {
            checks.Add("FAIL dead node: " + e);
        }
    }

    if (clients.WatchRestarts > 0)
    {
        checks.Add($"FAIL {clients.WatchRestarts} node watches broke and were re-opened");
    }
}
finally
{
    // Tear down before printing, so shutdown noise does not follow the report.
    await clients.DisposeAsync();
    await environment.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine(Report(options, topology, provision, converge, dead));
if (writePhaseLines.Length > 0)
{
    Console.WriteLine("Write phases during the measured NICs (ironorleans.controlplane.write.duration, recorded where the write ran; the Ensure RPC");
    Console.WriteLine("adds the Gateway hop; report-nic-status is the Ready report), and this process's garbage collections meanwhile:");
    foreach (var line in writePhaseLines)
    {
        Console.WriteLine(line);
    }

    Console.WriteLine();
}

foreach (var check in checks)
{
    Console.WriteLine(check);
}

var failed = checks.Any(c => !c.StartsWith("OK", StringComparison.Ordinal))
    || provision is { Failures: > 0 } || converge is { Failures: > 0 } || dead is { RoutesGone: null };
return failed ? 1 : 0;

static string Report(BenchmarkOptions options, Topology topology, ProvisionResult? p, (Latencies Latencies, int Failures, string? Error)? c, DeadNodeResult? d)
{
    var sb = new StringBuilder();
    string Ms(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
    void Row(string metric, string goal, string measured) => sb.AppendLine($"| {metric} | {goal} | {measured} |");
    sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
        $"Provisioning: {options.Count} NICs, {LoadOf(options)}, {topology.BenchNodes.Length} nodes on {options.AgentSilos} NodeAgent silos, "
        + $"{topology.Networks} networks; done = Ready (provider watch) and /32 installed in the PacketCore of all {topology.BenchNodes.Length - 1} other nodes."));
    sb.AppendLine();
    sb.AppendLine("| metric | goal | measured |");
    sb.AppendLine("|---|---:|---:|");
    if (p is not null)
    {
        Row("NIC provisioning p50", "", Ms(p.Done.PercentileMs(50)));
        Row("NIC provisioning p95", "≤ 50 ms", Ms(p.Done.PercentileMs(95)));
        Row("NIC provisioning p99", "≤ 150 ms", Ms(p.Done.PercentileMs(99)));
        Row("NIC provisioning max", "", Ms(p.Done.MaxMs));
        Row("NIC provisioning failures", "0", p.Failures == 0 ? "0" : $"{p.Failures} ({string.Join(", ", p.Errors.Select(e => $"{e.Key}: {e.Value}"))})");
        Row("NIC provisioning throughput", "", string.Create(CultureInfo.InvariantCulture, $"{p.PerSecond:0} NICs/s ({p.Succeeded} in {p.Duration.TotalSeconds:0.0} s)"));
    }

    if (c is { } conv)
    {
        Row($"route convergence p50 (1 announcement → {options.Subscribers} subscribers)", "", Ms(conv.Latencies.PercentileMs(50)));
        Row("route convergence p99", "≤ 50 ms", Ms(conv.Latencies.PercentileMs(99)));
        Row("route convergence max", "", Ms(conv.Latencies.MaxMs));
        Row("route convergence failures", "0", conv.Failures.ToString(CultureInfo.InvariantCulture));
    }

    if (d is not null)
    {
        Row($"dead node: kill → its {d.RoutesBefore} routes gone on every node", "≤ 3 s",
            d.RoutesGone is { } g ? g.TotalSeconds.ToString("0.00 s", CultureInfo.InvariantCulture) : "not gone: " + d.Error);
        Row("dead node: kill → declared Dead in membership (part of the above)", "",
            d.DeclaredDead is { } dd ? dd.TotalSeconds.ToString("0.00 s", CultureInfo.InvariantCulture) : "n/a");
    }

    if (p is not null)
    {
        sb.AppendLine();
        sb.AppendLine("Breakdown of the successful provisionings (from the due time of the Ensure call in open loop, its start in closed loop):");
        sb.AppendLine($"- EnsureNetworkInterface RPC returned:        {p.Ensure.Summary()}");
        sb.AppendLine($"- interface created in its node's PacketCore: {p.Created.Summary()}");
        sb.AppendLine($"- /32 installed on the first other node:      {p.FirstRoute.Summary()}");
        sb.AppendLine($"- Ready seen on the node watch:               {p.Ready.Summary()}");
        sb.AppendLine($"- Ready and routed on every node (= done):    {p.Done.Summary()}");
        if (p.DoneBySlice.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Done p95 / p99 by tenth of the run (start order): " + string.Join(", ", p.DoneBySlice.Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.PercentileMs(95):0} / {l.PercentileMs(99):0}"))) + " ms");
        }
    }

    return sb.ToString();
}

static string LoadOf(BenchmarkOptions options) => options.Rate > 0
    ? string.Create(CultureInfo.InvariantCulture, $"open loop at {options.Rate:0.#} NICs/s over {options.Clients} gRPC channels")
    : $"closed loop with {options.Clients} clients";

// The share of one core this process (the whole cluster but PostgreSQL) used over the window.
static async Task<double> CpuOverAsync(TimeSpan window)
{
    using var self = System.Diagnostics.Process.GetCurrentProcess();
    var before = self.TotalProcessorTime;
    var from = System.Diagnostics.Stopwatch.GetTimestamp();
    await Task.Delay(window);
    self.Refresh();
    return (self.TotalProcessorTime - before) / System.Diagnostics.Stopwatch.GetElapsedTime(from);
}
