using System.Globalization;
using System.Text;
using Grpc.Net.Client;
using IronOrleans.ControlPlane.Benchmarks;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Provider.V1;

// One command: throwaway PostgreSQL + silo + Gateway on loopback, then N concurrent gRPC clients doing
// (a) VirtualIP creates and (b) provider EnsureNetworkInterface calls, then a duplicate check. Prints markdown.
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

const string Namespace = "bench";
Console.WriteLine($"Starting PostgreSQL, a silo and the Gateway (clients={options.Clients}, count={options.Count}, "
    + $"duration-limit={options.DurationLimit.TotalSeconds:0}s, networks={options.Networks}, nodes={options.Nodes}) ...");
await using var environment = await ControlPlaneEnvironment.StartAsync();
var channels = Enumerable.Range(0, options.Clients).Select(_ => GrpcChannel.ForAddress(environment.GatewayAddress)).ToArray();
try
{
    var results = new List<ScenarioResult>();
    var checks = new List<string>();
    if (options.Scenario is "all" or "vip")
    {
        var vips = channels.Select(c => new VirtualIpService.VirtualIpServiceClient(c)).ToArray();
        await Warmup(() => vips[0].CreateVirtualIpAsync(VipRequest("warmup")).ResponseAsync);
        var warm = await WarmupLoad("VirtualIP create", (client, i) => vips[client].CreateVirtualIpAsync(VipRequest($"warm-{i}"), deadline: Deadline()).ResponseAsync);
        var result = await LoadRunner.RunAsync("VirtualIP create", options.Clients, options.Count, options.DurationLimit,
            (client, i) => vips[client].CreateVirtualIpAsync(VipRequest($"vip-{i}"), deadline: Deadline()).ResponseAsync);
        results.Add(result);
        checks.Add(await Checks.VirtualIpsAsync(vips[0], Namespace, expected: result.Succeeded + warm + 1));
    }

    if (options.Scenario is "all" or "nic")
    {
        var networks = new NetworkService.NetworkServiceClient(channels[0]);
        for (var n = 0; n < options.Networks; n++)
        {
            await networks.CreateNetworkAsync(new CreateNetworkRequest { Metadata = new ObjectMetadata { Namespace = Namespace, Name = $"net-{n}" } });
        }

        var providers = channels.Select(c => new ProviderService.ProviderServiceClient(c)).ToArray();
        await Warmup(() => providers[0].EnsureNetworkInterfaceAsync(NicRequest(options, -1)).ResponseAsync);

        // Warm-up NICs take the indexes after the measured ones (their names and IPs never collide).
        var warm = await WarmupLoad("Provider EnsureNetworkInterface",
            (client, i) => providers[client].EnsureNetworkInterfaceAsync(NicRequest(options, options.Count + i), deadline: Deadline()).ResponseAsync);
        var result = await LoadRunner.RunAsync("Provider EnsureNetworkInterface", options.Clients, options.Count, options.DurationLimit,
            (client, i) => providers[client].EnsureNetworkInterfaceAsync(NicRequest(options, i), deadline: Deadline()).ResponseAsync);
        results.Add(result);
        checks.Add(await Checks.NetworkInterfacesAsync(new NetworkInterfaceService.NetworkInterfaceServiceClient(channels[0]), Namespace, expected: result.Succeeded + warm + 1));
    }

    if (options.Scenario is "storage")
    {
        // The floor of a one-row-per-resource design, without gRPC or allocation: fresh activations that read and write their row.
        var grains = environment.Grains;
        foreach (var (name, create) in new (string, Func<int, Task<bool>>)[]
        {
            ("Storage floor: activation, no storage", i => grains.GetGrain<IActivationProbeGrain>($"touch-{i}").TouchAsync()),
            ("Storage floor: grain storage", i => grains.GetGrain<IStorageProbeGrain>($"plain-{i}").CreateAsync()),
            ("Storage floor: 1-participant transaction", i => grains.GetGrain<IStorageProbeGrain>($"tx-{i}").CreateTransactionalAsync()),
        })
        {
            await WarmupLoad(name, (_, i) => create(options.Count + i));
            results.Add(await LoadRunner.RunAsync(name, options.Clients, options.Count, options.DurationLimit, (_, i) => create(i)));
        }
    }

    Console.WriteLine();
    Console.WriteLine(Report(results, options));
    foreach (var check in checks)
    {
        Console.WriteLine(check);
    }

    return checks.All(c => c.StartsWith("OK", StringComparison.Ordinal)) ? 0 : 1;
}
finally
{
    foreach (var channel in channels)
    {
        channel.Dispose();
    }
}

static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

static CreateVirtualIpRequest VipRequest(string name) => new()
{
    Metadata = new ObjectMetadata { Namespace = "bench", Name = name },
    Spec = new VirtualIpSpec { IpFamily = IronOrleans.Gateway.Networking.V1.IpFamily.Ipv4 },
};

// NIC i goes to network i % networks and node i % nodes; its IP is unique in its network: 10.<hi>.<lo>.<x> from i / networks.
static EnsureNetworkInterfaceRequest NicRequest(BenchmarkOptions options, int i)
{
    var slot = i < 0 ? 65_000 : i / options.Networks + 1;
    var network = i < 0 ? 0 : i % options.Networks;
    return new EnsureNetworkInterfaceRequest
    {
        Namespace = "bench",
        Name = i < 0 ? "nic-warmup" : $"nic-{i}",
        Network = $"net-{network}",
        Node = $"p1.node-{(i < 0 ? 0 : i % options.Nodes)}",
        Ips = { string.Create(CultureInfo.InvariantCulture, $"10.{slot >> 8}.{slot & 0xff}.1") },
    };
}

static async Task Warmup(Func<Task> call) => await call();

// The unmeasured warm-up load; returns how many operations succeeded (they count in the duplicate checks).
async Task<int> WarmupLoad(string name, Func<int, int, Task> operation)
{
    if (options.Warmup == 0)
    {
        return 0;
    }

    var warm = await LoadRunner.RunAsync(name, options.Clients, options.Warmup, BenchmarkOptions.WarmupLimit, operation);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Warm-up, {name}: {warm.Succeeded} of {warm.Attempted} in {warm.Duration.TotalSeconds:0.0} s ({warm.PerSecond:0}/s), not measured."));
    return warm.Succeeded;
}

static string Report(List<ScenarioResult> results, BenchmarkOptions options)
{
    var sb = new StringBuilder();
    sb.AppendLine("| scenario | clients | total | ok | errors | duration (s) | allocations/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |");
    sb.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    foreach (var r in results)
    {
        var errors = r.Errors.Count == 0 ? "0" : string.Join(", ", r.Errors.Select(e => $"{e.Key}: {e.Value}"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.Name} | {r.Clients} | {r.Attempted} | {r.Succeeded} | {errors} | {r.Duration.TotalSeconds:0.0} | {r.PerSecond:0} | "
            + $"{r.Latencies.PercentileMs(50):0.0} | {r.Latencies.PercentileMs(95):0.0} | {r.Latencies.PercentileMs(99):0.0} | {r.Latencies.MaxMs:0.0} |"));
    }

    if (results.Any(r => r.HitDurationLimit))
    {
        sb.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"A scenario stopped at the duration limit ({options.DurationLimit.TotalSeconds:0} s) before --count {options.Count}."));
    }

    return sb.ToString();
}
