using IronOrleans.Grains.Model;

namespace IronOrleans.Gateway.Watch;

/// <summary>What a watch event tells the client.</summary>
internal enum WatchChange
{
    Added,
    Modified,
    Deleted,

    /// <summary>The initial snapshot has been sent.</summary>
    Synced,
}

/// <summary>One event of a node watch.</summary>
/// <param name="Change">The kind of event.</param>
/// <param name="Interface">The interface after the change (its last state for <see cref="WatchChange.Deleted"/>); null for <see cref="WatchChange.Synced"/>.</param>
/// <param name="NodeVersion">The node's desired-state version the watcher reached with this event.</param>
internal readonly record struct WatchItem(WatchChange Change, NetworkInterfaceInfo? Interface, long NodeVersion);
