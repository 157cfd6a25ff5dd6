using System.Globalization;
using System.Net;
using IronOrleans.NodeAgent;
using IronOrleans.PacketCore;
using Microsoft.Extensions.Configuration;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// The simulated hypervisors: <c>bench-NN</c> take the provisioned NICs, <c>conv-NN</c> only subscribe to the convergence
/// VNI, and <c>victim</c> runs in a child process that the dead-node scenario kills. Node k's PacketCore has host underlay
/// <c>fd00:k::1</c>, so its interfaces' underlay addresses (the routes' next hops) lie in <c>fd00:k::/64</c>.
/// </summary>
internal sealed class Topology
{
    private const int ConvBase = 0x100;
    private const int VictimIndex = 0x200;

    public Topology(BenchmarkOptions options)
    {
        Options = options;
        BenchNodes = [.. Enumerable.Range(0, options.Nodes).Select(i => string.Create(CultureInfo.InvariantCulture, $"bench-{i:00}"))];
        ConvNodes = [.. Enumerable.Range(0, options.Subscribers).Select(i => string.Create(CultureInfo.InvariantCulture, $"conv-{i:00}"))];
        Networks = options.EffectiveNetworks;
        NicsPerNode = (options.Count + options.Nodes - 1) / options.Nodes;
    }

    public BenchmarkOptions Options { get; }

    public string[] BenchNodes { get; }

    public string[] ConvNodes { get; }

    public string Victim => "victim";

    public int Networks { get; }

    public int NicsPerNode { get; }

    public int AgentSilos => Options.AgentSilos;

    /// <summary>The nodes NodeAgent silo <paramref name="silo"/> serves (bench and conv nodes round-robin).</summary>
    public IReadOnlyList<string> NodesOfSilo(int silo)
        => [.. BenchNodes.Where((_, i) => i % AgentSilos == silo), .. ConvNodes.Where((_, i) => i % AgentSilos == silo)];

    public int IndexOf(string node) => node == Victim
        ? VictimIndex
        : node.StartsWith("conv-", StringComparison.Ordinal)
            ? ConvBase + Array.IndexOf(ConvNodes, node)
            : Array.IndexOf(BenchNodes, node) + 1;

    public IPNetwork UnderlayOf(string node) => IPNetwork.Parse(string.Create(CultureInfo.InvariantCulture, $"fd00:{IndexOf(node):x}::/64"));

    /// <summary>Bench nodes hold their share of NICs, a seed per network and the victim's NIC per network; the rest need few ports.</summary>
    public int VmPortsOf(string node) => node.StartsWith("bench-", StringComparison.Ordinal) ? NicsPerNode + Networks + 4
        : node == Victim ? Networks + 4
        : 4;

    /// <summary>Configuration of the nodes under <c>IronOrleans:NodeAgent</c> (in-process PacketCore, in-memory ports, no packet worker).</summary>
    /// <param name="nodes">The nodes, in configuration order.</param>
    /// <param name="vmPorts">VM ports per node; null = <see cref="VmPortsOf"/>.</param>
    public Dictionary<string, string?> NodeAgentConfig(IReadOnlyList<string> nodes, int? vmPorts = null)
    {
        var config = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Options.TickInterval is { } tick)
        {
            config[NodeAgentOptions.SectionName + ":TickInterval"] = tick.ToString("c", CultureInfo.InvariantCulture);
        }

        for (var n = 0; n < nodes.Count; n++)
        {
            var node = nodes[n];
            var index = IndexOf(node);
            var p = string.Create(CultureInfo.InvariantCulture, $"{NodeAgentOptions.SectionName}:Nodes:{n}:");
            config[p + "Name"] = node;
            config[p + "DataPlane"] = "InProcess";
            config[p + "RunDataPath"] = "false";
            config[p + "PacketCore:HostUnderlayAddress"] = string.Create(CultureInfo.InvariantCulture, $"fd00:{index:x}::1");
            config[p + "PacketCore:FlowCapacity"] = "1024";
            config[p + "PacketCore:InMemoryRingSize"] = "2"; // no traffic here; 1024-slot rings would take ~4 MB per port
            config[p + "PacketCore:Uplink:Name"] = "pf0";
            config[p + "PacketCore:Uplink:Mac"] = Mac(index, 0, 0);
            config[p + "PacketCore:Uplink:PeerMac"] = "02:00:00:00:ff:ff";
            var ports = vmPorts ?? VmPortsOf(node);
            for (var i = 0; i < ports; i++)
            {
                config[p + string.Create(CultureInfo.InvariantCulture, $"PacketCore:VmPorts:{i}:Name")] = string.Create(CultureInfo.InvariantCulture, $"vf{i}");
                config[p + string.Create(CultureInfo.InvariantCulture, $"PacketCore:VmPorts:{i}:Mac")] = Mac(index, 1, i);
            }
        }

        return config;
    }

    /// <summary>The full PacketCore options of an in-process node (all its VM ports), bound the way the NodeAgent binds them.</summary>
    public PacketCoreOptions PacketCoreOptionsOf(string node)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(NodeAgentConfig([node])).Build();
        var options = new PacketCoreOptions();
        configuration.GetSection(NodeAgentOptions.SectionName + ":Nodes:0:PacketCore").Bind(options);
        return options;
    }

    private static string Mac(int node, int kind, int port)
        => string.Create(CultureInfo.InvariantCulture, $"02:{node >> 8:x2}:{node & 0xff:x2}:{kind:x2}:{port >> 8:x2}:{port & 0xff:x2}");
}
