using IronOrleans.Grains.Model;
using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// A hypervisor (key = node name): its registration and its desired state (the NICs placed on it)
/// with a version bumped on every change; every change is published on the node's stream
/// (<see cref="NodeStreams"/>) as a sequenced <see cref="NodeEvent"/>, and pushed at once to the observers
/// registered with <see cref="WatchAsync"/>.
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

    /// <summary>
    /// Registers <paramref name="observer"/> (idempotent; call again to refresh): every event stored after this call is
    /// pushed to it in version order, in batches, without waiting for the stream's queue poll. The push is the fast path
    /// and the stream stays the reliable one: an observer that fails a push or falls more than
    /// <see cref="NodeWatch.MaxQueuedEvents"/> behind is dropped until it registers again, so observers re-register
    /// periodically, keep their stream subscription and treat a gap in versions as a reason to re-snapshot.
    /// Returns the current version.
    /// </summary>
    [Alias("watch")]
    Task<long> WatchAsync(INodeEventObserver observer);

    /// <summary>Removes an observer registered with <see cref="WatchAsync"/>; a no-op when absent.</summary>
    [Alias("unwatch")]
    Task UnwatchAsync(INodeEventObserver observer);
}

/// <summary>Receives a node's events pushed by its <see cref="INodeGrain"/> (see <see cref="INodeGrain.WatchAsync"/>).</summary>
[Alias("ironorleans.INodeEventObserver")]
public interface INodeEventObserver : IGrainObserver
{
    /// <summary>Events in version order; may repeat events the stream already delivered (ignore versions already applied).</summary>
    [Alias("on-node-events")]
    Task OnNodeEventsAsync(IReadOnlyList<NodeEvent> events);
}

/// <summary>Limits of the push path of node events.</summary>
public static class NodeWatch
{
    /// <summary>An observer this many events behind is dropped (it catches up from the stream or a snapshot).</summary>
    public const int MaxQueuedEvents = 1024;

    /// <summary>A push that takes longer than this drops the observer.</summary>
    public static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(10);
}

/// <summary>Stream identities of node streams.</summary>
public static class NodeStreams
{
    /// <summary>Stream namespace of node desired-state events.</summary>
    public const string Namespace = "ironorleans.node";

    /// <summary>The stream of one node.</summary>
    public static StreamId For(string node) => StreamId.Create(Namespace, node);
}
