using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Grpc.Core;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Provider.V1;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.Testing;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>How one provisioning ended; ticks are relative to the start of the Ensure call.</summary>
internal readonly record struct Outcome(string? Error, long EnsureTicks, long CreatedTicks, long FirstRouteTicks, long ReadyTicks, long DoneTicks, long Start = 0)
{
    public bool Ok => Error is null;

    public static Outcome Fail(string error) => new(error, 0, 0, 0, 0, 0);
}

/// <summary>One NIC the benchmark created: where it is and whether it ended well.</summary>
internal sealed record Provisioned(int Network, string Node, string Ip, bool Ok);

/// <summary>The provisioning scenario's result.</summary>
internal sealed record ProvisionResult(int Attempted, int Succeeded, TimeSpan Duration, Latencies Ensure, Latencies Created, Latencies FirstRoute,
    Latencies Ready, Latencies Done, IReadOnlyDictionary<string, int> Errors)
{
    /// <summary>Done latencies of each tenth of the NICs in start order (open loop only): shows whether latency grows with state.</summary>
    public IReadOnlyList<Latencies> DoneBySlice { get; init; } = [];

    /// <summary>Start and done timestamps of the successful provisionings (for the stall overlay).</summary>
    public IReadOnlyList<(long Start, long Done)> Lifetimes { get; init; } = [];

    public double PerSecond => Succeeded / Duration.TotalSeconds;

    public int Failures => Attempted - Succeeded;
}

/// <summary>The three scenarios, all driven through the Gateway's provider API where the issue names it.</summary>
internal sealed class Scenarios(ProvisioningEnvironment environment, BenchmarkOptions options, GrpcClients clients)
{
    public const string Namespace = "bench";
    private const int SeedSlots = 99; // slots 0..98 seeds (one per node), 99 the victim, 100.. measured NICs
    private const int VictimSlot = 99;
    private const int ConvNetwork = 250;
    private readonly ConcurrentBag<Provisioned> _provisioned = [];
    private uint[] _vnis = [];
    private int _lateStarts;
    private long _maxLagTicks;

    /// <summary>Open-loop NICs that started more than 10 ms after their due time (the benchmark itself fell behind).</summary>
    public int LateStarts => Volatile.Read(ref _lateStarts);

    /// <summary>The largest start lag of an open-loop NIC (included in its latency, which runs from the due time).</summary>
    public TimeSpan MaxStartLag => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _maxLagTicks));

    private Topology Topology => environment.Topology;

    private RouteTracker Tracker => environment.Tracker;

    public static string NicIp(int network, int slot)
        => string.Create(CultureInfo.InvariantCulture, $"10.{network}.{slot / 250}.{slot % 250 + 1}");

    public async Task CreateNetworksAsync()
    {
        _vnis = new uint[Topology.Networks];
        for (var n = 0; n < Topology.Networks; n++)
        {
            _vnis[n] = await CreateNetworkAsync($"net-{n}");
        }
    }

    private async Task<uint> CreateNetworkAsync(string name)
    {
        var response = await clients.Networks.CreateNetworkAsync(
            new CreateNetworkRequest { Metadata = new ObjectMetadata { Namespace = Namespace, Name = name } }, deadline: Deadline());
        return response.Network.Status.Vni;
    }

    /// <summary>
    /// One NIC through the provider API: registers the expectation, calls EnsureNetworkInterface, then waits (bounded)
    /// until it is Ready and its /32 is installed on <paramref name="expectedNodes"/> other nodes with a next hop in its node's underlay.
    /// </summary>
    public async Task<Outcome> ProvisionAsync(
        ProviderService.ProviderServiceClient client, string name, int network, uint vni, string node, string ip, int expectedNodes, SemaphoreSlim? ensureGate = null, long? due = null)
    {
        var probe = Tracker.Expect(name, vni, ip + "/32", node, expectedNodes);
        var request = new EnsureNetworkInterfaceRequest
        {
            Namespace = Namespace,
            Name = name,
            Network = network == ConvNetwork ? "conv" : $"net-{network}",
            Node = node,
            Ips = { ip },
        };
        // Open loop measures from the NIC's due time, so a start the benchmark delays counts against the latency.
        var t0 = due ?? Stopwatch.GetTimestamp();
        Outcome outcome;
        try
        {
            EnsureNetworkInterfaceResponse response;
            if (ensureGate is not null && !await ensureGate.WaitAsync(options.Timeout))
            {
                throw new TimeoutException();
            }

            try
            {
                response = await client.EnsureNetworkInterfaceAsync(request, deadline: DateTime.UtcNow + options.Timeout);
            }
            finally
            {
                ensureGate?.Release();
            }

            var ensured = Stopwatch.GetTimestamp() - t0;
            var remaining = options.Timeout - Stopwatch.GetElapsedTime(t0);
            var done = await probe.Done.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            var hops = probe.NextHops;
            outcome = hops.Count == 1 && IPAddress.TryParse(hops.First(), out var hop) && Topology.UnderlayOf(node).Contains(hop)
                ? new Outcome(null, ensured, Tracker.InterfaceCreatedAt(Guid.Parse(response.NetworkInterface.Uid)) - t0, probe.FirstInstallAt - t0, probe.ReadyAt - t0, done - t0, t0)
                : Outcome.Fail($"wrong next hop(s) [{string.Join(", ", hops)}]");
        }
        catch (RpcException e)
        {
            outcome = Outcome.Fail("Ensure " + e.StatusCode);
        }
        catch (TimeoutException)
        {
            outcome = Outcome.Fail(probe.IsReady ? "timeout: routes missing on some nodes" : "timeout: not Ready");
        }
        catch (InvalidOperationException e)
        {
            outcome = Outcome.Fail(e.Message);
        }

        _provisioned.Add(new Provisioned(network, node, ip, outcome.Ok));
        return outcome;
    }

    /// <summary>
    /// One NIC per bench node in every network (unmeasured), so every node subscribes to every VNI before the measured run.
    /// All seeds wait at once (a seed is only routed everywhere once the other nodes have theirs); at most one Ensure call per client is in flight.
    /// </summary>
    public async Task<int> SeedAsync()
    {
        using var gate = new SemaphoreSlim(clients.Providers.Length);
        var failed = 0;
        var seeds = new List<Task>();
        for (var n = 0; n < Topology.Networks; n++)
        {
            for (var j = 0; j < Topology.BenchNodes.Length; j++)
            {
                var (network, node, slot) = (n, Topology.BenchNodes[j], j);
                var client = clients.Providers[seeds.Count % clients.Providers.Length];
                seeds.Add(Task.Run(async () =>
                {
                    var outcome = await ProvisionAsync(client, $"seed-{network}-{node}", network, _vnis[network], node, NicIp(network, slot),
                        Topology.BenchNodes.Length - 1, gate);
                    if (!outcome.Ok)
                    {
                        Interlocked.Increment(ref failed);
                        Console.Error.WriteLine($"seed {network}/{node} failed: {outcome.Error}");
                    }
                }));
            }
        }

        await Task.WhenAll(seeds);
        return failed;
    }

    /// <summary>
    /// The measured run: NIC i goes to network i % networks and, within it, round-robin over the nodes. Open loop at
    /// <see cref="BenchmarkOptions.Rate"/> NICs/s, or (rate 0) closed loop where every client provisions one NIC at a time.
    /// </summary>
    public async Task<ProvisionResult> ProvisionAsync()
    {
        var count = options.Count;
        var networks = Topology.Networks;
        var nodes = Topology.BenchNodes;
        var next = -1;
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var outcomes = new ConcurrentBag<Outcome>();
        var doneByStart = new long[count]; // open loop: done ticks by start order, -1 = failed
        var started = Stopwatch.GetTimestamp();
        var progress = Task.Run(async () =>
        {
            while (Volatile.Read(ref next) < count)
            {
                await Task.Delay(5_000);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  ... {Math.Min(count, Volatile.Read(ref next))}/{count} NICs started after {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
            }
        });
        if (options.Rate > 0)
        {
            // Open loop: NIC i is due at i / rate s and measured from then (no coordinated omission); late starts are counted.
            var inFlight = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                var due = started + (long)(i / options.Rate * Stopwatch.Frequency);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                }
                else if (-wait > Stopwatch.Frequency / 100)
                {
                    Interlocked.Increment(ref _lateStarts);
                    _maxLagTicks = Math.Max(_maxLagTicks, -wait);
                }

                Volatile.Write(ref next, i);
                var (n, k, client) = (i % networks, i / networks, clients.Providers[i % clients.Providers.Length]);
                var name = $"nic-{i}";
                var index = i;
                inFlight.Add(Task.Run(async () =>
                {
                    var outcome = await ProvisionAsync(client, name, n, _vnis[n], nodes[k % nodes.Length], NicIp(n, SeedSlots + 1 + k), nodes.Length - 1, due: due);
                    outcomes.Add(outcome);
                    doneByStart[index] = outcome.Ok ? outcome.DoneTicks : -1;
                    if (!outcome.Ok)
                    {
                        errors.AddOrUpdate(outcome.Error!, 1, (_, c) => c + 1);
                    }
                }));
            }

            Volatile.Write(ref next, count);
            await Task.WhenAll(inFlight);
        }
        else
        {
            await Task.WhenAll(clients.Providers.Select(client => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var n = i % networks;
                    var k = i / networks;
                    var outcome = await ProvisionAsync(client, $"nic-{i}", n, _vnis[n], nodes[k % nodes.Length], NicIp(n, SeedSlots + 1 + k), nodes.Length - 1);
                    outcomes.Add(outcome);
                    if (!outcome.Ok)
                    {
                        errors.AddOrUpdate(outcome.Error!, 1, (_, c) => c + 1);
                    }
                }
            })));
        }

        var duration = Stopwatch.GetElapsedTime(started);
        await progress;
        var ok = outcomes.Where(o => o.Ok).ToList();
        return new ProvisionResult(outcomes.Count, ok.Count, duration,
            new Latencies(ok.Select(o => o.EnsureTicks)), new Latencies(ok.Select(o => o.CreatedTicks)), new Latencies(ok.Select(o => o.FirstRouteTicks)),
            new Latencies(ok.Select(o => o.ReadyTicks)), new Latencies(ok.Select(o => o.DoneTicks)), errors)
        {
            DoneBySlice = options.Rate > 0 && count >= 10
                ? [.. Enumerable.Range(0, 10).Select(t => new Latencies(doneByStart[(t * count / 10)..((t + 1) * count / 10)].Where(d => d >= 0)))]
                : [],
            Lifetimes = [.. ok.Select(o => (o.Start, o.Start + o.DoneTicks))],
        };
    }

    /// <summary>
    /// Reads every bench node's PacketCore back: each VNI must route exactly the other nodes' NICs of that network, and
    /// each node must have one interface per NIC placed on it. Returns (problems, routes verified).
    /// </summary>
    public (List<string> Problems, int Verified) VerifyEngines()
    {
        var problems = new List<string>();
        var verified = 0;
        var all = _provisioned.Where(p => p.Network != ConvNetwork && p.Node != Topology.Victim).ToList();
        foreach (var node in Topology.BenchNodes)
        {
            var control = environment.Engines[node].Control;
            var interfaces = control.ListInterfaces().Value?.Count ?? -1;
            var placed = all.Count(p => p.Node == node);
            if (interfaces != placed)
            {
                problems.Add($"{node}: {interfaces} interfaces in PacketCore, {placed} NICs placed on it");
            }

            for (var n = 0; n < Topology.Networks; n++)
            {
                var routes = (control.ListRoutes(_vnis[n]).Value ?? []).Select(r => r.Prefix.Normalize().ToString()).ToHashSet(StringComparer.Ordinal);
                var expected = all.Where(p => p.Network == n && p.Node != node && p.Ok).Select(p => p.Ip + "/32").ToList();
                var missing = expected.Count(e => !routes.Contains(e));
                var extra = routes.Count - (expected.Count - missing);
                verified += expected.Count - missing;
                if (missing > 0 || extra > 0)
                {
                    problems.Add($"{node} VNI {_vnis[n]}: {missing} routes missing, {extra} unexpected");
                }
            }
        }

        return (problems, verified);
    }

    /// <summary>Duplicate check through the Gateway: every NIC listed once, no internal IP twice in a network, distinct uids.</summary>
    public async Task<string> CheckDuplicatesAsync(int expected)
    {
        var all = new List<IronOrleans.Gateway.Networking.V1.NetworkInterface>();
        var token = string.Empty;
        for (var page = 0; page < 10_000; page++)
        {
            var response = await clients.NetworkInterfaces.ListNetworkInterfacesAsync(
                new IronOrleans.Gateway.Networking.V1.ListNetworkInterfacesRequest { Namespace = Namespace, PageSize = 1000, PageToken = token }, deadline: Deadline());
            all.AddRange(response.NetworkInterfaces);
            token = response.NextPageToken;
            if (token.Length == 0)
            {
                break;
            }
        }

        var duplicateIps = all.GroupBy(n => n.Spec.Network).Sum(g => g.Sum(n => n.Spec.Ips.Count) - g.SelectMany(n => n.Spec.Ips).Distinct().Count());
        var uids = all.Select(n => n.Metadata.Uid).Distinct(StringComparer.Ordinal).Count();
        var ok = all.Count == expected && duplicateIps == 0 && uids == all.Count;
        return $"{(ok ? "OK" : "FAIL")} NetworkInterfaces: {all.Count} listed (expected {expected}), {duplicateIps} duplicate internal IPs within a network, {uids} distinct uids";
    }

    /// <summary>
    /// Route convergence: a VNI with one NIC on each conv node (so each subscribes), then announcements of fresh /32s from a
    /// synthetic origin straight to the VNI's RouteTableGrain, one at a time; each is timed until every subscriber's
    /// PacketCore has it.
    /// </summary>
    public async Task<(Latencies Latencies, int Failures, string? Error)> ConvergeAsync()
    {
        var vni = await CreateNetworkAsync("conv");
        var subscribers = Topology.ConvNodes;
        var setup = await Task.WhenAll(subscribers.Select((node, j) =>
            ProvisionAsync(clients.Providers[j % clients.Providers.Length], $"conv-{j}", ConvNetwork, vni, node, NicIp(ConvNetwork, j), subscribers.Length - 1)));
        if (setup.FirstOrDefault(o => !o.Ok) is { Error: { } setupError })
        {
            return (new Latencies([]), options.Announcements, "set-up NIC failed: " + setupError);
        }

        var table = environment.Grains.GetGrain<IRouteTableGrain>(vni);
        var subscribed = (await table.GetSubscribersAsync()).Count;
        if (subscribed != subscribers.Length)
        {
            return (new Latencies([]), options.Announcements, $"{subscribed} subscribers, expected {subscribers.Length}");
        }

        const string origin = "bench-border";
        var hop = new NextHop("fd00:ffff::1");
        var latencies = new List<long>();
        var failures = 0;
        for (var k = -1; k < options.Announcements; k++)
        {
            var slot = k + 1; // the first (k = -1) is a warm-up: the table records a new announcer once
            var prefix = string.Create(CultureInfo.InvariantCulture, $"172.16.{slot / 250}.{slot % 250 + 1}/32");
            var probe = Tracker.Expect(null, vni, prefix, null, subscribers.Length);
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                await table.AnnounceAsync(origin, [new Route(vni, prefix, hop)]);
                var done = await probe.Done.WaitAsync(options.Timeout);
                if (k >= 0)
                {
                    latencies.Add(done - t0);
                }
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or OrleansException)
            {
                failures++;
                Console.Error.WriteLine($"announcement {prefix}: {ex.GetType().Name} {ex.Message} ({probe.InstalledCount}/{subscribers.Length} nodes)");
            }
        }

        return (new Latencies(latencies), failures, null);
    }

    /// <summary>
    /// Dead node: the victim gets one NIC per network; once every bench node routes to it, its process is killed and the
    /// time until the last bench node deleted its last route toward the victim's underlay is measured.
    /// </summary>
    public async Task<DeadNodeResult> DeadNodeAsync()
    {
        var victim = Topology.Victim;
        Tracker.Watch(victim, Topology.UnderlayOf(victim));
        var networks = Enumerable.Range(0, Topology.Networks).ToArray();
        var setup = await Task.WhenAll(networks.Select(n => ProvisionAsync(clients.Providers[n % clients.Providers.Length], $"victim-{n}", n, _vnis[n], victim,
            NicIp(n, VictimSlot), Topology.BenchNodes.Length)));
        if (setup.FirstOrDefault(o => !o.Ok) is { Error: { } setupError })
        {
            return new DeadNodeResult(null, null, 0, "set-up NIC failed: " + setupError);
        }

        var installed = Tracker.WatchedCount;
        var siloName = NodeAgentSilo.SiloName([victim]);
        using var stop = new CancellationTokenSource(options.DeadNodeTimeout + TimeSpan.FromSeconds(5));
        var declaredDead = WaitDeclaredDeadAsync(siloName, stop.Token);
        var gone = Tracker.WatchedGoneAsync();
        var killedAt = environment.KillVictim();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss.fff} killed the victim's NodeAgent (log times are on this clock)"));
        var timeline = SampleRemainingAsync(killedAt, stop.Token);
        long? goneAt = null;
        string? error = null;
        try
        {
            goneAt = await gone.WaitAsync(options.DeadNodeTimeout);
        }
        catch (TimeoutException)
        {
            error = $"{Tracker.WatchedCount} of {installed} routes toward the dead node still installed after {options.DeadNodeTimeout.TotalSeconds:0} s";
        }

        long? deadAt = null;
        try
        {
            deadAt = await declaredDead.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }

        await stop.CancelAsync();
        Console.WriteLine("  routes toward the dead node still installed, by time since the kill: " + await timeline);

        // Read the engines back as well: nothing may lead to the dead node's underlay.
        var underlay = Topology.UnderlayOf(victim);
        var leftovers = Topology.BenchNodes.Sum(node => (environment.Engines[node].Control.ListRoutes(0).Value ?? []).Count(r => underlay.Contains(r.NextHopAddress)));
        if (leftovers > 0)
        {
            error = (error is null ? "" : error + "; ") + $"{leftovers} routes toward the dead node left in PacketCore";
            await DiagnoseLeftoversAsync(underlay);
        }

        return new DeadNodeResult(
            goneAt is { } g ? Stopwatch.GetElapsedTime(killedAt, g) : null,
            deadAt is { } d ? Stopwatch.GetElapsedTime(killedAt, d) : null,
            installed, error);
    }

    /// <summary>Samples how many routes toward the dead node are left every 250 ms until they are gone or the scenario ends.</summary>
    private async Task<string> SampleRemainingAsync(long killedAt, CancellationToken cancellationToken)
    {
        var samples = new List<string>();
        var last = -1;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && samples.Count < 2_000)
            {
                var left = Tracker.WatchedCount;
                if (left != last)
                {
                    samples.Add(string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.00} s {left}"));
                    last = left;
                }

                if (left == 0)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the scenario ended
        }

        return string.Join(", ", samples);
    }

    /// <summary>Prints, for each node still routing to the dead node, what its agent and the VNI's route table believe.</summary>
    private async Task DiagnoseLeftoversAsync(IPNetwork underlay)
    {
        foreach (var node in Topology.BenchNodes)
        {
            var stale = (environment.Engines[node].Control.ListRoutes(0).Value ?? []).Where(r => underlay.Contains(r.NextHopAddress)).ToList();
            foreach (var route in stale)
            {
                var table = await environment.Grains.GetGrain<IRouteTableGrain>(route.Vni).GetSnapshotAsync();
                var subscribers = await environment.Grains.GetGrain<IRouteTableGrain>(route.Vni).GetSubscribersAsync();
                var state = await environment.Grains.GetGrain<INodeAgentGrain>(node).GetStateAsync();
                var inRib = state.InstalledRoutes.Where(r => r.Contains(route.Prefix.ToString(), StringComparison.Ordinal)).ToList();
                Console.Error.WriteLine($"  leftover on {node}: {route.Vni} {route.Prefix} -> {route.NextHopAddress}; table v{table.Version} has it: "
                    + $"{table.Routes.Any(r => r.Route.Prefix == route.Prefix.ToString())}, {node} subscribed: {subscribers.Contains(node)}; "
                    + $"agent believes installed: [{string.Join(", ", inRib)}], failing [{string.Join(", ", state.Failing)}], vnis [{string.Join(", ", state.SubscribedVnis)}]");
            }
        }
    }

    private async Task<long> WaitDeclaredDeadAsync(string siloName, CancellationToken cancellationToken)
    {
        await foreach (var snapshot in environment.Membership.MembershipUpdates.WithCancellation(cancellationToken))
        {
            if (snapshot.Members.Values.Any(m => m.Name == siloName && m.Status == SiloStatus.Dead))
            {
                return Stopwatch.GetTimestamp();
            }
        }

        throw new OperationCanceledException();
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
}

/// <summary>The dead-node scenario's result: kill → routes gone everywhere, kill → declared dead in membership.</summary>
internal sealed record DeadNodeResult(TimeSpan? RoutesGone, TimeSpan? DeclaredDead, int RoutesBefore, string? Error);
