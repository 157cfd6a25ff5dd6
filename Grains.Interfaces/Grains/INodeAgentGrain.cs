using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// The node-local agent of one hypervisor (key = node name), placed on that node's NodeAgent silo
/// (<see cref="Placement.NodeLocalPlacement"/>). It is the single writer to the node's PacketCore:
/// it follows the node's desired state (snapshot, then events pushed by the node grain and from its stream), programs PacketCore in metalnet's order,
/// announces and learns routes, and reports NIC status.
/// </summary>
[Alias("ironorleans.INodeAgentGrain")]
public interface INodeAgentGrain : IRouteSubscriberGrain, INodeEventObserver
{
    /// <summary>Starts following the node (idempotent) and runs a full reconcile.</summary>
    [Alias("start")]
    Task StartAsync();

    /// <summary>Periodic work: checks PacketCore's epoch, retries what failed, re-snapshots when told to.</summary>
    [Alias("tick")]
    Task TickAsync();

    /// <summary>What the agent believes and has programmed (for tests, diagnostics and the benchmark).</summary>
    [Alias("state"), ReadOnly]
    Task<NodeAgentState> GetStateAsync();
}

/// <summary>A NodeAgent's view of its node.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.nodeagent-state")]
public sealed record NodeAgentState
{
    [Id(0)] public required string Node { get; init; }
    [Id(1)] public required long DesiredVersion { get; init; }
    [Id(2)] public string? DataPlaneUuid { get; init; }

    /// <summary>NIC key → TAP/VF name of interfaces programmed in PacketCore.</summary>
    [Id(3)] public required IReadOnlyDictionary<string, string> Interfaces { get; init; }

    /// <summary>VNIs subscribed to.</summary>
    [Id(4)] public required IReadOnlyList<uint> SubscribedVnis { get; init; }

    /// <summary>Routes installed in PacketCore: "vni prefix → underlay".</summary>
    [Id(5)] public required IReadOnlyList<string> InstalledRoutes { get; init; }

    /// <summary>NIC keys whose last reconcile failed (retried on every tick).</summary>
    [Id(6)] public required IReadOnlyList<string> Failing { get; init; }
}
