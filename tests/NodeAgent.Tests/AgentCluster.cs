using System.Diagnostics;
using System.Globalization;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.NodeAgent.DataPlane;
using IronOrleans.PacketCore;
using IronOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace IronOrleans.NodeAgent.Tests;

/// <summary>
/// A real cluster on PostgreSQL storage: one control silo (Silo_0) plus one NodeAgent silo per node, each
/// NodeAgent driving an in-process PacketCore with in-memory ports. Nodes are named after their silo.
/// </summary>
public sealed class AgentCluster : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);
    private readonly Dictionary<string, string> _nodeBySilo = [];
    private readonly string[] _nodes;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private AgentCluster(PostgresServer postgres, string[] nodes, IReadOnlyDictionary<string, string?> settings)
    {
        Postgres = postgres;
        _nodes = nodes;
        _settings = settings;
    }

    public PostgresServer Postgres { get; }

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public IControlPlaneGrain ControlPlane => Client.GetGrain<IControlPlaneGrain>(0);

    public static Task<AgentCluster> StartAsync(params string[] nodes) => StartAsync(new Dictionary<string, string?>(), nodes);

    /// <summary>Starts a cluster whose silos all get <paramref name="settings"/> on top of their own configuration.</summary>
    public static async Task<AgentCluster> StartAsync(IReadOnlyDictionary<string, string?> settings, params string[] nodes)
    {
        var postgres = await PostgresServer.StartAsync();
        var cluster = new AgentCluster(postgres, nodes, settings);
        try
        {
            await cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task DeployAsync()
    {
        var builder = new InProcessTestClusterBuilder((short)(_nodes.Length + 1));
        builder.Options.ServiceId = "agent-tests-" + Guid.NewGuid().ToString("N")[..8];
        builder.ConfigureSiloHost((silo, host) =>
        {
            var node = NodeFor(silo.SiloName);
            if (node is not null)
            {
                host.Configuration.AddInMemoryCollection(NodeConfig(node));
            }

            host.Configuration.AddInMemoryCollection(_settings);
            if (node is null)
            {
                return;
            }

            NodeAgentHostingExtensions.AddNodeAgentServices(host.Services);
        });
        builder.ConfigureSilo((silo, siloBuilder) =>
        {
            siloBuilder.AddIronOrleansPostgresStorage(Postgres.ConnectionString);
            siloBuilder.AddIronOrleansGrains(o => o.PublicPrefixes.Add("198.51.100.0/24"));
            if (NodeFor(silo.SiloName) is not null)
            {
                var options = new NodeAgentOptions();
                siloBuilder.Configuration.GetSection(NodeAgentOptions.SectionName).Bind(options);
                NodeAgentHostingExtensions.ConfigureNodeAgentSilo(siloBuilder, options);
            }
        });
        builder.ConfigureClient(client => client.UseTransactions());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Silo_0 is the control silo; Silo_i serves node i.</summary>
    private string? NodeFor(string siloName)
    {
        var index = int.Parse(siloName[(siloName.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture);
        if (index == 0)
        {
            return null;
        }

        lock (_nodeBySilo)
        {
            _nodeBySilo[siloName] = _nodes[index - 1];
        }

        return _nodes[index - 1];
    }

    /// <summary>Configuration of one simulated hypervisor: underlay fd00:&lt;index&gt;::1, four VM ports, fast ticks.</summary>
    private Dictionary<string, string?> NodeConfig(string node)
    {
        var index = Array.IndexOf(_nodes, node) + 1;
        var p = NodeAgentOptions.SectionName + ":Nodes:0:";
        var config = new Dictionary<string, string?>
        {
            [NodeAgentOptions.SectionName + ":TickInterval"] = "00:00:00.200",
            [NodeAgentOptions.SectionName + ":RouteAuditInterval"] = "00:00:01",
            [p + "Name"] = node,
            [p + "DataPlane"] = "InProcess",
            [p + "RunDataPath"] = "false",
            [p + "PacketCore:HostUnderlayAddress"] = string.Create(CultureInfo.InvariantCulture, $"fd00:{index}::1"),
            [p + "PacketCore:FlowCapacity"] = "1024",
            [p + "PacketCore:Uplink:Name"] = "pf0",
            [p + "PacketCore:Uplink:Mac"] = string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:{index:x2}:01"),
            [p + "PacketCore:Uplink:PeerMac"] = "02:00:00:00:ff:ff",
        };
        for (var i = 0; i < 4; i++)
        {
            config[p + $"PacketCore:VmPorts:{i}:Name"] = $"vf{i}";
            config[p + $"PacketCore:VmPorts:{i}:Mac"] = string.Create(CultureInfo.InvariantCulture, $"02:00:00:{index:x2}:01:{i:x2}");
        }

        return config;
    }

    /// <summary>The control silo (Silo_0): the one that serves no node.</summary>
    public SiloAddress ControlSilo
    {
        get
        {
            lock (_nodeBySilo)
            {
                return Cluster.GetActiveSilos().Single(s => !_nodeBySilo.ContainsKey(s.Name)).SiloAddress;
            }
        }
    }

    public InProcessSiloHandle SiloOf(string node)
        => Cluster.GetActiveSilos().OfType<InProcessSiloHandle>().Single(s => _nodeBySilo.TryGetValue(s.Name, out var n) && n == node);

    public NodeDataPlanes PlanesOf(string node) => SiloOf(node).ServiceProvider.GetRequiredService<NodeDataPlanes>();

    public PacketCoreEngine EngineOf(string node) => PlanesOf(node).Engines[node];

    public INodeAgentGrain Agent(string node) => Client.GetGrain<INodeAgentGrain>(node);

    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultWait;
        var sw = Stopwatch.StartNew();
        Exception? last = null;
        while (sw.Elapsed < limit)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception ex)
            {
                last = ex;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }

    /// <summary>Waits until <paramref name="condition"/> holds (polled and bounded like <see cref="WaitForAsync{T}"/>).</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => WaitForAsync(() => Task.FromResult<object?>(condition() ? true : null), what, timeout);

    public async Task<NetworkInterfaceInfo> WaitReadyAsync(ResourceName nic, Func<NetworkInterfaceInfo, bool>? also = null)
    {
        try
        {
            return await WaitForAsync(async () =>
            {
                var info = await Client.GetGrain<INetworkInterfaceGrain>(nic.Key).GetAsync();
                return info.Status.State == NetworkInterfaceState.Ready && (also?.Invoke(info) ?? true) ? info : null;
            }, $"{nic} Ready");
        }
        catch (TimeoutException ex)
        {
            var info = await Client.GetGrain<INetworkInterfaceGrain>(nic.Key).GetAsync();
            var state = await Agent(info.Spec.Node).GetStateAsync();
            throw new TimeoutException(
                $"{ex.Message}; status {info.Status.State} '{info.Status.Message}'; agent of {state.Node}: version {state.DesiredVersion}, " +
                $"interfaces [{string.Join(", ", state.Interfaces.Keys)}], failing [{string.Join(", ", state.Failing)}], uuid {state.DataPlaneUuid}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            try
            {
                await Cluster.StopAllSilosAsync();
            }
            finally
            {
                await Cluster.DisposeAsync();
            }
        }

        await Postgres.DisposeAsync();
    }
}
