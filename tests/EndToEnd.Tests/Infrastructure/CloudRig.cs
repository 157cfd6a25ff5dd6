using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Provider.V1;
using IronOrleans.PacketCore.Daemon.Tests.EndToEnd;
using IronOrleans.Testing;

namespace IronOrleans.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole stack as real processes on loopback: PostgreSQL, the Silo, the Gateway, and two nodes (PacketCore daemon
/// + NodeAgent each). A "router" namespace holds both uplink TAPs, one /64 per node, and forwards the outer IPv6
/// packets between them. VM namespaces are attached to the TAPs the NICs report. Every name and port is per run;
/// everything is stopped and removed on dispose, also after a failure. Logs go to one file per process.
/// </summary>
public sealed class CloudRig : IAsyncDisposable
{
    private const string UnderlayMtu = "1600";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<TapVm> _vms = [];
    private readonly Dictionary<string, TapVm> _vmByTap = new(StringComparer.Ordinal);
    private readonly List<string> _timeline = [];
    private readonly DateTime _started = DateTime.UtcNow;

    private CloudRig(string runId)
    {
        RunId = runId;
        ClusterId = "e2e-" + runId;
        LogDirectory = Directory.CreateTempSubdirectory($"ironorleans-e2e-{runId}-").FullName;
        NodeA = new NodeRig(runId, 'a', LogDirectory);
        NodeB = new NodeRig(runId, 'b', LogDirectory);
        GatewayPort = FreePorts.Next();
        GatewayChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{GatewayPort.ToString(CultureInfo.InvariantCulture)}");
        Provider = new ProviderService.ProviderServiceClient(GatewayChannel);
        Networks = new NetworkService.NetworkServiceClient(GatewayChannel);
    }

    public string RunId { get; }

    public string ClusterId { get; }

    public string LogDirectory { get; }

    public NodeRig NodeA { get; }

    public NodeRig NodeB { get; }

    public IEnumerable<NodeRig> Nodes => [NodeA, NodeB];

    public PostgresServer? Postgres { get; private set; }

    public ServiceProcess? Silo { get; private set; }

    public ServiceProcess? Gateway { get; private set; }

    public int GatewayPort { get; }

    public GrpcChannel GatewayChannel { get; }

    public ProviderService.ProviderServiceClient Provider { get; }

    public NetworkService.NetworkServiceClient Networks { get; }

    public NetNs? Router { get; private set; }

    /// <summary>Checks root and tools, then starts everything and waits until the Gateway answers and both agents started.</summary>
    public static async Task<CloudRig> StartAsync()
    {
        Proc.RequireRoot();
        Proc.RequireTool("ip", "iproute2");
        Proc.RequireTool("busybox", "busybox");
        Proc.RequireTool("ping", "iputils-ping");
        Proc.RequireTool("python3", "python3");

        var rig = new CloudRig(Guid.NewGuid().ToString("N")[..6]);
        try
        {
            await rig.StartCoreAsync();
            return rig;
        }
        catch (Exception ex)
        {
            var diagnostics = rig.Diagnostics();
            await rig.DisposeAsync();
            throw new InvalidOperationException($"Starting the end-to-end rig failed: {ex.Message}\n{diagnostics}", ex);
        }
    }

    private async Task StartCoreAsync()
    {
        // The daemons need no database: start them while PostgreSQL initialises.
        foreach (var node in Nodes)
        {
            node.StartDaemon();
        }

        Postgres = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);
        Mark("PostgreSQL up");
        StartSilo();
        StartGateway();
        foreach (var node in Nodes)
        {
            await node.WaitForDaemonAsync(StartTimeout);
        }

        Mark("PacketCore daemons up");
        await StartRouterAsync();
        Mark("router namespace up");
        foreach (var node in Nodes)
        {
            node.StartAgent(Postgres.ConnectionString, ClusterId);
        }

        await Wait.UntilAsync(
            async () =>
            {
                ThrowIfExited(Silo!);
                ThrowIfExited(Gateway!);
                try
                {
                    await Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = "e2e" }, deadline: DateTime.UtcNow.AddSeconds(5));
                    return true;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    return false;
                }
            },
            StartTimeout,
            "the Gateway to answer ListNetworks (silo joined, Gateway connected)",
            () => Task.FromResult("gateway log:\n" + Gateway!.Tail(15) + "\nsilo log:\n" + Silo!.Tail(15)),
            TimeSpan.FromMilliseconds(500));
        Mark("Gateway answers");
        await Task.WhenAll(Nodes.Select(n => n.WaitForAgentStartedAsync(StartTimeout)));
        Mark("both NodeAgents started");
    }

    private void StartSilo()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ironorleans"] = Postgres!.ConnectionString,
            ["IronOrleans__Silo__ClusterId"] = ClusterId,
            ["IronOrleans__Silo__ServiceId"] = ClusterId,
            ["IronOrleans__Silo__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["IronOrleans__Silo__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["IronOrleans__Silo__AdvertisedIPAddress"] = "127.0.0.1",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}",
        };
        Silo = ServiceProcess.Start("silo", RepoLayout.Silo, [], environment, Path.Combine(LogDirectory, "silo.log"));
    }

    private void StartGateway()
    {
        var environment = new Dictionary<string, string>
        {
            ["IronOrleans__Gateway__Url"] = $"http://127.0.0.1:{GatewayPort.ToString(CultureInfo.InvariantCulture)}",
            ["IronOrleans__Gateway__ConnectionString"] = Postgres!.ConnectionString,
            ["IronOrleans__Gateway__ClusterId"] = ClusterId,
            ["IronOrleans__Gateway__ServiceId"] = ClusterId,
        };
        Gateway = ServiceProcess.Start("gateway", RepoLayout.Gateway, [], environment, Path.Combine(LogDirectory, "gateway.log"));
    }

    /// <summary>
    /// The underlay router: both uplink TAPs, each node on its own /64, IPv6 forwarding on. The kernel resolves each
    /// per-object underlay address by neighbor discovery, which PacketCore answers for its VNF addresses.
    /// </summary>
    private async Task StartRouterAsync()
    {
        Router = await NetNs.CreateAsync($"ioe-{RunId}-r");
        await Router.CheckAsync("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        foreach (var node in Nodes)
        {
            await Router.MoveInAsync(node.UplinkTap);
            await Router.CheckAsync("ip", "link", "set", node.UplinkTap, "address", node.RouterMac);

            // Like a real fabric, the underlay carries full 1500-byte VM packets plus the 40-byte outer IPv6 header
            // (PacketCore does no fragmentation or PMTU, as dpservice); at 1500 the router would drop them.
            await Router.CheckAsync("ip", "link", "set", node.UplinkTap, "mtu", UnderlayMtu);
            await Router.CheckAsync("ip", "link", "set", node.UplinkTap, "up");
            await Router.CheckAsync("ip", "-6", "addr", "add", node.RouterAddress + "/64", "dev", node.UplinkTap, "nodad");
        }
    }

    /// <summary>
    /// The VM behind <paramref name="tap"/> of <paramref name="node"/>: the first call moves the TAP into a new
    /// namespace with the MAC the daemon expects and gets its address from PacketCore's DHCP (busybox udhcpc).
    /// </summary>
    public async Task<(TapVm Vm, string Address, bool New)> VmAsync(NodeRig node, string tap)
    {
        if (_vmByTap.TryGetValue(tap, out var existing))
        {
            return (existing, "", false);
        }

        var vm = await TapVm.AttachAsync($"ioe-{RunId}-{tap[^2..]}", tap, node.VmMacOf(tap));
        _vms.Add(vm);
        _vmByTap[tap] = vm;
        var address = await vm.DhcpAsync(TimeSpan.FromSeconds(20));
        return (vm, address, true);
    }

    public async Task RestartAgentAsync(NodeRig node)
    {
        node.StartAgent(Postgres!.ConnectionString, ClusterId);
        await node.WaitForAgentStartedAsync(StartTimeout);
    }

    /// <summary>Records a step with its time since the start (printed with the diagnostics and the test output).</summary>
    public void Mark(string step)
    {
        var line = $"+{(DateTime.UtcNow - _started).TotalSeconds,6:0.0} s  ({DateTime.UtcNow:HH:mm:ss.fff} UTC)  {step}";
        lock (_timeline)
        {
            _timeline.Add(line);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(line);
    }

    public string Timeline()
    {
        lock (_timeline)
        {
            return string.Join('\n', _timeline);
        }
    }

    /// <summary>The timeline and the tail of every process log, for failure messages.</summary>
    public string Diagnostics(int lines = 40)
    {
        var text = new StringBuilder();
        text.Append("\n===== timeline =====\n").Append(Timeline()).Append('\n');
        IEnumerable<ServiceProcess?> all = [Silo, Gateway, .. Nodes.Select(n => n.DaemonProcess), .. Nodes.SelectMany(n => n.AgentHistory)];
        var processes = all.OfType<ServiceProcess>().ToList();

        // Warnings and errors of every process first, with their source: they usually name the cause.
        text.Append("===== warnings and errors (all logs, last 30) =====\n");
        foreach (var line in processes
            .SelectMany(p => SafeLines(p).Where(IsWarningOrError).Select(l => $"[{p.Name}] {l}"))
            .OrderBy(l => l[(l.IndexOf(']', StringComparison.Ordinal) + 2)..], StringComparer.Ordinal)
            .TakeLast(30))
        {
            text.Append(line.Length > 400 ? line[..400] + " …" : line).Append('\n');
        }

        foreach (var process in processes)
        {
            text.Append(CultureInfo.InvariantCulture, $"===== {process.Name} ({process.LogPath}, last {lines} lines) =====\n")
                .Append(process.Tail(lines)).Append('\n');
        }

        return text.ToString();
    }

    private static bool IsWarningOrError(string line) =>
        line.Contains(" warn: ", StringComparison.Ordinal) || line.Contains(" fail: ", StringComparison.Ordinal)
        || line.Contains(" crit: ", StringComparison.Ordinal) || line.Contains(" ### ", StringComparison.Ordinal);

    private static string[] SafeLines(ServiceProcess process)
    {
        try
        {
            return process.ReadLog().Split('\n');
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static void ThrowIfExited(ServiceProcess process)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"{process.Name} exited:\n{process.Tail(40)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Exception> errors = [];
        async Task Try(Func<ValueTask> step)
        {
            try
            {
                await step();
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }

        foreach (var vm in _vms)
        {
            await Try(vm.DisposeAsync);
        }

        if (Router is not null)
        {
            await Try(Router.DisposeAsync);
        }

        // Agents first (they would otherwise log the data plane vanishing), then the control plane, then the daemons.
        foreach (var node in Nodes)
        {
            foreach (var agent in node.AgentHistory)
            {
                await Try(agent.DisposeAsync);
            }
        }

        if (Gateway is not null)
        {
            await Try(Gateway.DisposeAsync);
        }

        if (Silo is not null)
        {
            await Try(Silo.DisposeAsync);
        }

        foreach (var node in Nodes)
        {
            await Try(node.DisposeAsync);
        }

        GatewayChannel.Dispose();
        if (Postgres is not null)
        {
            await Try(Postgres.DisposeAsync);
        }

        if (Environment.GetEnvironmentVariable("IRONORLEANS_E2E_KEEP_LOGS") is not { Length: > 0 })
        {
            await Try(() =>
            {
                Directory.Delete(LogDirectory, recursive: true);
                return ValueTask.CompletedTask;
            });
        }

        if (errors.Count > 0)
        {
            throw new AggregateException("tearing down the end-to-end rig failed", errors);
        }
    }
}
