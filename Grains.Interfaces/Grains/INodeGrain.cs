using IronOrleans.Grains.Model;
using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// A hypervisor (key = node name): its registration and its desired state (the NICs placed on it)
/// with a version bumped on every change; every change is published on the node's stream
/// (<see cref="NodeStreams"/>) as a sequenced <see cref="NodeEvent"/>.
/// </summary>
[Alias("ironorleans.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    [Alias("register")]
    Task<NodeInfo> RegisterAsync(NodeRegistration registration);

    /// <summary>Returns the node, or null when it never registered.</summary>
    [Alias("get"), ReadOnly]
    Task<NodeInfo?> GetAsync();

    /// <summary>Adds or replaces a NIC in the desired state; a no-op when nothing changed.</summary>
    [Alias("upsert-nic")]
    Task<long> UpsertInterfaceAsync(NetworkInterfaceInfo nic);

    /// <summary>Removes a NIC (matched by name and uid); a no-op when absent.</summary>
    [Alias("remove-nic")]
    Task<long> RemoveInterfaceAsync(ResourceName name, Guid uid);

    /// <summary>The full desired state at its current version.</summary>
    [Alias("snapshot"), ReadOnly]
    Task<NodeSnapshot> GetSnapshotAsync();
}

/// <summary>Stream identities of node streams.</summary>
public static class NodeStreams
{
    /// <summary>Stream namespace of node desired-state events.</summary>
    public const string Namespace = "ironorleans.node";

    /// <summary>The stream of one node.</summary>
    public static StreamId For(string node) => StreamId.Create(Namespace, node);
}
