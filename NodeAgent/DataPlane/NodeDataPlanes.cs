using IronOrleans.PacketCore;
using Microsoft.Extensions.Options;

namespace IronOrleans.NodeAgent.DataPlane;

/// <summary>The data plane of every node this process serves, opened once at start-up.</summary>
public sealed class NodeDataPlanes : IDisposable
{
    private readonly Dictionary<string, IDataPlane> _planes = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];

    public NodeDataPlanes(IOptions<NodeAgentOptions> options, ILoggerFactory loggerFactory, System.Diagnostics.Metrics.IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var node in options.Value.Nodes)
        {
            if (node.DataPlane == DataPlaneMode.Grpc)
            {
                var grpc = new GrpcDataPlane(new Uri(node.GrpcAddress));
                _owned.Add(grpc);
                _planes[node.Name] = grpc;
            }
            else
            {
                var engine = new PacketCoreEngine(node.PacketCore, loggerFactory, meterFactory);
                _owned.Add(engine);
                Engines[node.Name] = engine;
                if (node.RunDataPath)
                {
                    engine.Start();
                }

                _planes[node.Name] = new InProcessDataPlane(engine.Control, node.Name);
            }
        }
    }

    /// <summary>In-process engines by node (tests inject and read frames through their ports).</summary>
    public Dictionary<string, PacketCoreEngine> Engines { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Nodes => _planes.Keys;

    public bool TryGet(string node, out IDataPlane plane) => _planes.TryGetValue(node, out plane!);

    /// <summary>Swaps a node's data plane (tests: a PacketCore "restart" with a fresh engine).</summary>
    internal void Replace(string node, IDataPlane plane) => _planes[node] = plane;

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
