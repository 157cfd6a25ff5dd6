using IronOrleans.Grains.Model;

namespace IronOrleans.Gateway.Watch;

/// <summary>
/// What one watcher has told its client so far (interfaces by key, and the node version reached), and the rules that
/// turn node snapshots and sequenced node events into ADDED / MODIFIED / DELETED. Pure logic, no I/O.
/// </summary>
internal sealed class WatchState(Func<NetworkInterfaceInfo, bool> filter)
{
    private readonly Dictionary<string, NetworkInterfaceInfo> _known = new(StringComparer.Ordinal);

    /// <summary>The node version the client has been brought to.</summary>
    public long Version { get; private set; } = -1;

    /// <summary>Whether the client has seen at least one snapshot.</summary>
    public bool HasSnapshot => Version >= 0;

    /// <summary>
    /// Brings the client from what it knows to <paramref name="snapshot"/>: DELETED for interfaces that are gone (or were
    /// re-created under the same name), ADDED for new ones, MODIFIED for changed ones. The first snapshot yields only ADDED.
    /// </summary>
    public IReadOnlyList<WatchItem> ApplySnapshot(NodeSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var items = new List<WatchItem>();
        var current = snapshot.Interfaces.Where(filter).ToDictionary(n => n.Name.Key, StringComparer.Ordinal);
        foreach (var (key, previous) in _known.OrderBy(k => k.Key, StringComparer.Ordinal).ToArray())
        {
            if (!current.TryGetValue(key, out var now) || now.Uid != previous.Uid)
            {
                _known.Remove(key);
                items.Add(new WatchItem(WatchChange.Deleted, previous, snapshot.Version));
            }
        }

        foreach (var (key, nic) in current.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (!_known.TryGetValue(key, out var previous))
            {
                _known[key] = nic;
                items.Add(new WatchItem(WatchChange.Added, nic, snapshot.Version));
            }
            else if (previous.ResourceVersion != nic.ResourceVersion)
            {
                _known[key] = nic;
                items.Add(new WatchItem(WatchChange.Modified, nic, snapshot.Version));
            }
        }

        Version = Math.Max(Version, snapshot.Version);
        return items;
    }

    /// <summary>
    /// Applies one stream event. Events at or below <see cref="Version"/> are ignored (already covered); an event that
    /// does not follow <see cref="Version"/> by exactly one returns false: the caller must re-read the snapshot.
    /// </summary>
    public bool TryApply(NodeEvent nodeEvent, List<WatchItem> items)
    {
        ArgumentNullException.ThrowIfNull(nodeEvent);
        ArgumentNullException.ThrowIfNull(items);
        if (nodeEvent.Version <= Version)
        {
            return true;
        }

        if (nodeEvent.Version != Version + 1)
        {
            return false;
        }

        Version = nodeEvent.Version;
        var nic = nodeEvent.Interface;
        var key = nic.Name.Key;
        _known.TryGetValue(key, out var previous);
        if (nodeEvent.Type == NodeEventType.Removed)
        {
            if (previous is not null && previous.Uid == nic.Uid)
            {
                _known.Remove(key);
                items.Add(new WatchItem(WatchChange.Deleted, nic, Version));
            }

            return true;
        }

        if (!filter(nic))
        {
            return true;
        }

        if (previous is not null && previous.Uid != nic.Uid)
        {
            // Deleted and re-created under the same name: the client must see two objects.
            items.Add(new WatchItem(WatchChange.Deleted, previous, Version));
            previous = null;
        }

        _known[key] = nic;
        if (previous is null)
        {
            items.Add(new WatchItem(WatchChange.Added, nic, Version));
        }
        else if (previous.ResourceVersion != nic.ResourceVersion)
        {
            items.Add(new WatchItem(WatchChange.Modified, nic, Version));
        }

        return true;
    }
}
