using IronOrleans.Grains.Model;

namespace IronOrleans.NodeAgent.Reconciliation;

/// <summary>
/// The routes a node learned for one VNI: every next hop of every prefix with the origins announcing it.
/// The data-plane table is a function of it (<see cref="Selected"/>): a prefix's route goes away only
/// when its last next hop does, and a withdrawn hop is replaced by a remaining one.
/// </summary>
internal sealed class VniRib(uint vni, string self)
{
    // One small object per prefix (most have one next hop from one origin): a node holds a RIB entry for every NIC of
    // every network it serves, and nested dictionaries per prefix made those entries most of a NodeAgent's heap, which
    // every garbage collection has to mark.
    private readonly Dictionary<string, PrefixRoutes> _entries = new(StringComparer.Ordinal);

    // Origins are node names, few and repeated in every delta: keep one instance of each.
    private readonly HashSet<string> _origins = new(StringComparer.Ordinal);
    private Dictionary<string, HashSet<string>> _originsBeforeReset = new(StringComparer.Ordinal);

    public uint Vni { get; } = vni;

    /// <summary>Version of the last snapshot or delta applied; -1 before the first snapshot.</summary>
    public long Version { get; private set; } = -1;

    /// <summary>Routes programmed into the data plane: prefix → next hop.</summary>
    public Dictionary<string, NextHop> Installed { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Until this <see cref="Environment.TickCount64"/>, installed routes that the RIB no longer selects are kept (a
    /// stale timer, as in BGP's graceful restart): set when the snapshot came from a restarted route table or into a
    /// fresh agent, because the announcers are still re-announcing and the snapshot is not complete yet; cleared by the
    /// table's End-of-RIB (<see cref="RouteChange.Complete"/>).
    /// </summary>
    public long KeepUnselectedUntil { get; set; }

    public int PrefixCount => _entries.Count;

    /// <summary>Set when programming this VNI left something undone; the next tick re-programs the whole table.</summary>
    public bool NeedsProgramming { get; set; }

    /// <summary>Replaces everything with a snapshot.</summary>
    public void Reset(RouteSnapshot snapshot)
    {
        // Who announced each prefix before this snapshot; a prefix already missing from the previous snapshot keeps the
        // origins recorded then (several re-syncs can follow one another inside one stale timer).
        var before = new Dictionary<string, HashSet<string>>(_entries.Count, StringComparer.Ordinal);
        foreach (var (prefix, hops) in _entries)
        {
            before[prefix] = hops.Origins().ToHashSet(StringComparer.Ordinal);
        }

        foreach (var (prefix, origins) in _originsBeforeReset)
        {
            before.TryAdd(prefix, origins);
        }

        _originsBeforeReset = before;

        _entries.Clear();
        foreach (var entry in snapshot.Routes)
        {
            Add(entry);
        }

        Version = snapshot.Version;
    }

    /// <summary>Applies one delta. Returns false when it does not follow the last version (a gap: re-snapshot).</summary>
    public bool TryApply(RouteDelta delta)
    {
        if (delta.Version <= Version)
        {
            return true; // already covered by the snapshot or a previous delta
        }

        if (Version < 0 || delta.Version != Version + 1)
        {
            return false;
        }

        Version = delta.Version;
        switch (delta.Change)
        {
            case RouteChange.Announced:
                Add(delta.Entry);
                break;
            case RouteChange.Withdrawn:
                Remove(delta.Entry);
                break;
            case RouteChange.Complete:
                KeepUnselectedUntil = 0; // End-of-RIB: what is not announced now is stale
                break;
        }

        return true;
    }

    /// <summary>
    /// Whether an installed route the RIB no longer selects may still be re-announced during the stale timer: false only when
    /// every node that announced it before the last snapshot is known dead (a dead node never re-announces, so keeping its
    /// routes only delays their removal). Routes of unknown origin (adopted from PacketCore) may come back.
    /// </summary>
    public bool MayComeBack(string prefix, Func<string, bool> isNodeAlive)
        => !_originsBeforeReset.TryGetValue(prefix, out var origins) || origins.Count == 0 || origins.Any(isNodeAlive);

    /// <summary>The route to program per prefix: the lowest STANDARD next hop, so every node picks the same one.</summary>
    public Dictionary<string, NextHop> Selected()
    {
        var selected = new Dictionary<string, NextHop>(_entries.Count, StringComparer.Ordinal);
        foreach (var (prefix, hops) in _entries)
        {
            if (Best(hops) is { } chosen)
            {
                selected[prefix] = chosen;
            }
        }

        return selected;
    }

    /// <summary><see cref="Selected"/> for one prefix: null when nothing is to be programmed for it.</summary>
    public NextHop? SelectedFor(string prefix) => _entries.TryGetValue(prefix, out var hops) ? Best(hops) : null;

    private static NextHop? Best(PrefixRoutes hops)
    {
        NextHop? best = null;
        for (var i = 0; i < hops.Count; i++)
        {
            var hop = hops[i].Hop;
            if (hop.Type == NextHopType.Standard && (best is null || Compare(hop, best.Value) < 0))
            {
                best = hop;
            }
        }

        return best;
    }

    private static int Compare(NextHop a, NextHop b)
    {
        var c = string.CompareOrdinal(a.Underlay, b.Underlay);
        return c != 0 ? c : a.TargetVni.CompareTo(b.TargetVni);
    }

    private void Add(OriginRoute entry)
    {
        if (string.Equals(entry.Origin, self, StringComparison.Ordinal))
        {
            return; // never install our own announcements
        }

        if (!_origins.TryGetValue(entry.Origin, out var origin))
        {
            _origins.Add(origin = entry.Origin);
        }

        if (_entries.TryGetValue(entry.Route.Prefix, out var hops))
        {
            hops.Add(entry.Route.NextHop, origin);
        }
        else
        {
            _entries[entry.Route.Prefix] = new PrefixRoutes(entry.Route.NextHop, origin);
        }
    }

    private void Remove(OriginRoute entry)
    {
        if (_entries.TryGetValue(entry.Route.Prefix, out var hops) && hops.Remove(entry.Route.NextHop, entry.Origin) && hops.Count == 0)
        {
            _entries.Remove(entry.Route.Prefix);
        }
    }

    /// <summary>The distinct (next hop, origin) pairs of one prefix; the first inline, the rare others in a list.</summary>
    private sealed class PrefixRoutes(NextHop hop, string origin)
    {
        private (NextHop Hop, string Origin) _first = (hop, origin);
        private List<(NextHop Hop, string Origin)>? _more;

        public int Count { get; private set; } = 1;

        public (NextHop Hop, string Origin) this[int index] => index == 0 ? _first : _more![index - 1];

        public IEnumerable<string> Origins()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i].Origin;
            }
        }

        public void Add(NextHop hop, string origin)
        {
            if (IndexOf(hop, origin) >= 0)
            {
                return;
            }

            // Never empty here: the RIB drops a prefix when its last pair goes.
            (_more ??= []).Add((hop, origin));
            Count++;
        }

        public bool Remove(NextHop hop, string origin)
        {
            var index = IndexOf(hop, origin);
            if (index < 0)
            {
                return false;
            }

            if (index == 0)
            {
                if (Count > 1)
                {
                    _first = _more![^1];
                    _more.RemoveAt(_more.Count - 1);
                }
            }
            else
            {
                _more!.RemoveAt(index - 1);
            }

            Count--;
            return true;
        }

        private int IndexOf(NextHop hop, string origin)
        {
            for (var i = 0; i < Count; i++)
            {
                var (h, o) = this[i];
                if (h == hop && string.Equals(o, origin, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
