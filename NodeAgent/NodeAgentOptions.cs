using IronOrleans.PacketCore;

namespace IronOrleans.NodeAgent;

/// <summary>How a node reaches its data plane.</summary>
public enum DataPlaneMode
{
    /// <summary>PacketCore runs inside the NodeAgent process.</summary>
    InProcess = 0,

    /// <summary>A standalone PacketCore daemon or a real dpservice, over dpservice's gRPC contract.</summary>
    Grpc = 1,
}

/// <summary>One hypervisor served by this NodeAgent.</summary>
public sealed class NodeOptions
{
    /// <summary>Node name (a DNS subdomain), as NICs name it in <c>spec.node</c>. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Availability zone label.</summary>
    public string? Zone { get; set; }

    /// <summary>Node labels.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>();

    public DataPlaneMode DataPlane { get; set; } = DataPlaneMode.InProcess;

    /// <summary>gRPC address of the PacketCore daemon / dpservice (mode Grpc). Default <c>http://127.0.0.1:1337</c>.</summary>
    public string GrpcAddress { get; set; } = "http://127.0.0.1:1337";

    /// <summary>The in-process engine (mode InProcess); its <c>HostUnderlayAddress</c> /64 is the node's underlay prefix.</summary>
    public PacketCoreOptions PacketCore { get; set; } = new();

    /// <summary>Run the in-process engine's packet worker (off for control-plane simulations with in-memory ports).</summary>
    public bool RunDataPath { get; set; } = true;

    /// <summary>The node's underlay /64 as registered with the cluster; derived from the engine when empty.</summary>
    public string? UnderlayPrefix { get; set; }
}

/// <summary>Options of a NodeAgent process. Bound from <see cref="SectionName"/>.</summary>
public sealed class NodeAgentOptions
{
    public const string SectionName = "IronOrleans:NodeAgent";

    /// <summary>The nodes this process serves: one in production, several in simulations.</summary>
    public IList<NodeOptions> Nodes { get; } = [];

    /// <summary>The pseudo-VNI carrying everything the border router must see (metalnet's <c>--public-vni</c>). Default 100.</summary>
    public uint PublicVni { get; set; } = 100;

    /// <summary>How often each node agent checks PacketCore's epoch and retries failures. Default 2 s.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often a tick also audits every installed route against PacketCore and re-programs whole tables (the safety
    /// net for routes PacketCore lost without a new Initialize uuid). Between audits a tick only re-programs tables whose
    /// last programming failed. The audit walks every route of the node, so at thousands of routes it is not free.
    /// Default 30 s.
    /// </summary>
    public TimeSpan RouteAuditInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Returns the first problem, or null.</summary>
    public string? Check()
    {
        if (TickInterval <= TimeSpan.Zero || RouteAuditInterval <= TimeSpan.Zero)
        {
            return "TickInterval and RouteAuditInterval must be positive";
        }

        if (Nodes.Count == 0)
        {
            return "at least one node must be configured (IronOrleans:NodeAgent:Nodes:0:Name)";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            if (!Grains.Validation.Validate.IsDnsSubdomain(node.Name))
            {
                return $"node name '{node.Name}' must be a DNS subdomain";
            }

            if (!names.Add(node.Name))
            {
                return $"node '{node.Name}' is configured twice";
            }

            if (node.DataPlane == DataPlaneMode.Grpc && !Uri.TryCreate(node.GrpcAddress, UriKind.Absolute, out _))
            {
                return $"node '{node.Name}': GrpcAddress '{node.GrpcAddress}' is not an absolute URI";
            }
        }

        return PublicVni is 0 or > Grains.Model.Vni.MaxValue ? $"PublicVni {PublicVni} is not a VNI" : null;
    }
}
