using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Tables;

/// <summary>
/// Immutable IPv4 longest-prefix-match table: one hash probe per distinct prefix length present, longest first.
/// VNIs hold few distinct lengths (/32 host routes, a handful of subnets, /0), so this beats a bit trie and needs no
/// DIR-24-8 sized memory per VNI.
/// </summary>
/// <remarks>
/// A table is a base map plus an optional small overlay of the changes made since the base was built (see
/// <see cref="WithOverlay"/>): an overlay entry replaces the base entry of the same prefix, and one whose
/// <see cref="RouteTarget.Kind"/> is <see cref="RouteKind.None"/> withdraws it. Adding one route to a VNI of n routes then
/// costs a copy of the overlay instead of a rebuild of all n, and the control plane folds the overlay into a new base
/// once it has grown (<see cref="OverlayLimit"/>). Lookups stay allocation-free: at most two probes per length.
/// </remarks>
internal sealed class Lpm4
{
    private readonly byte[] _lengths; // of base and overlay, longest first
    private readonly byte[] _baseLengths;
    private readonly UInt64Map<RouteTarget> _map;
    private readonly UInt64Map<RouteTarget>? _overlay;

    public Lpm4(IReadOnlyList<(uint Prefix, int Length, RouteTarget Target)> routes)
    {
        var items = new KeyValuePair<ulong, RouteTarget>[routes.Count];
        Span<bool> present = stackalloc bool[33];
        for (var i = 0; i < routes.Count; i++)
        {
            var (prefix, length, target) = routes[i];
            present[length] = true;
            items[i] = new(Key(Mask(prefix, length), length), target);
        }

        _lengths = _baseLengths = LengthsOf(present);
        _map = new UInt64Map<RouteTarget>(items);
    }

    private Lpm4(byte[] lengths, byte[] baseLengths, UInt64Map<RouteTarget> map, UInt64Map<RouteTarget>? overlay)
    {
        _lengths = lengths;
        _baseLengths = baseLengths;
        _map = map;
        _overlay = overlay;
    }

    public static Lpm4 Empty { get; } = new([]);

    /// <summary>Routes in the overlay (0 for a base table).</summary>
    public int OverlayCount => _overlay?.Count ?? 0;

    /// <summary>How many changes a control plane should keep in an overlay over a base of <paramref name="routes"/> routes.</summary>
    public static int OverlayLimit(int routes) => Math.Max(16, (int)Math.Sqrt(routes));

    /// <summary>
    /// This table's base with <paramref name="changes"/> (every change since the base was built, one per prefix) as its
    /// overlay; a change with <see cref="RouteKind.None"/> withdraws the prefix. Any overlay of this table is replaced.
    /// </summary>
    public Lpm4 WithOverlay(IReadOnlyCollection<KeyValuePair<(uint Prefix, int Length), RouteTarget>> changes)
    {
        if (changes.Count == 0)
        {
            return _overlay is null ? this : new Lpm4(_baseLengths, _baseLengths, _map, null);
        }

        Span<bool> present = stackalloc bool[33];
        foreach (var length in _baseLengths)
        {
            present[length] = true;
        }

        var items = new KeyValuePair<ulong, RouteTarget>[changes.Count];
        var n = 0;
        foreach (var ((prefix, length), target) in changes)
        {
            present[length] = true;
            items[n++] = new(Key(Mask(prefix, length), length), target);
        }

        return new Lpm4(LengthsOf(present), _baseLengths, _map, new UInt64Map<RouteTarget>(items));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(uint address, out RouteTarget target)
    {
        var lengths = _lengths;
        var overlay = _overlay;
        for (var i = 0; i < lengths.Length; i++)
        {
            var length = lengths[i];
            var key = Key(Mask(address, length), length);
            if (overlay is not null && overlay.TryGetValue(key, out target))
            {
                if (target.Kind != RouteKind.None)
                {
                    return true;
                }
            }
            else if (_map.TryGetValue(key, out target))
            {
                return true;
            }
        }

        target = default;
        return false;
    }

    /// <summary>The lengths flagged in <paramref name="present"/> (indexed by length), longest first.</summary>
    internal static byte[] LengthsOf(ReadOnlySpan<bool> present)
    {
        var count = 0;
        foreach (var p in present)
        {
            count += p ? 1 : 0;
        }

        var lengths = new byte[count];
        var n = 0;
        for (var length = present.Length - 1; length >= 0; length--)
        {
            if (present[length])
            {
                lengths[n++] = (byte)length;
            }
        }

        return lengths;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mask(uint address, int length) => length == 0 ? 0u : address & (uint.MaxValue << (32 - length));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(uint masked, int length) => ((ulong)(uint)length << 32) | masked;
}

/// <summary>
/// Immutable IPv6 longest-prefix-match table, one map per distinct prefix length, longest first; like <see cref="Lpm4"/>
/// a base plus an optional overlay of later changes.
/// </summary>
internal sealed class Lpm6
{
    private readonly byte[] _lengths; // of base and overlay, longest first
    private readonly UInt128Map<RouteTarget>[] _maps; // base map per entry of _lengths (empty: none of that length)
    private readonly UInt128Map<RouteTarget>[]? _overlays; // overlay map per entry of _lengths; null for a base table

    public Lpm6(IReadOnlyList<(UInt128 Prefix, int Length, RouteTarget Target)> routes)
    {
        (_lengths, _maps) = Group(routes);
    }

    private Lpm6(byte[] lengths, UInt128Map<RouteTarget>[] maps, UInt128Map<RouteTarget>[]? overlays)
    {
        _lengths = lengths;
        _maps = maps;
        _overlays = overlays;
    }

    public static Lpm6 Empty { get; } = new([]);

    /// <summary>Routes in the overlay (0 for a base table).</summary>
    public int OverlayCount => _overlays?.Sum(o => o.Count) ?? 0;

    /// <summary>This table's base with <paramref name="changes"/> as its overlay (see <see cref="Lpm4.WithOverlay"/>).</summary>
    public Lpm6 WithOverlay(IReadOnlyCollection<KeyValuePair<(UInt128 Prefix, int Length), RouteTarget>> changes)
    {
        if (changes.Count == 0 && _overlays is null)
        {
            return this;
        }

        // The base maps by length, from this table (which may itself carry an overlay).
        var baseByLength = new UInt128Map<RouteTarget>?[129];
        for (var i = 0; i < _lengths.Length; i++)
        {
            baseByLength[_lengths[i]] = _maps[i];
        }

        var (overlayLengths, overlayMaps) = Group(changes.Select(c => (c.Key.Prefix, c.Key.Length, c.Value)).ToList());
        var overlayByLength = new UInt128Map<RouteTarget>?[129];
        Span<bool> present = stackalloc bool[129];
        for (var i = 0; i < overlayLengths.Length; i++)
        {
            overlayByLength[overlayLengths[i]] = overlayMaps[i];
            present[overlayLengths[i]] = true;
        }

        for (var length = 0; length <= 128; length++)
        {
            present[length] |= baseByLength[length] is not null;
        }

        var lengths = Lpm4.LengthsOf(present);
        var maps = new UInt128Map<RouteTarget>[lengths.Length];
        var overlays = changes.Count == 0 ? null : new UInt128Map<RouteTarget>[lengths.Length];
        for (var i = 0; i < lengths.Length; i++)
        {
            maps[i] = baseByLength[lengths[i]] ?? UInt128Map<RouteTarget>.Empty;
            if (overlays is not null)
            {
                overlays[i] = overlayByLength[lengths[i]] ?? UInt128Map<RouteTarget>.Empty;
            }
        }

        return new Lpm6(lengths, maps, overlays);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(UInt128 address, out RouteTarget target)
    {
        var lengths = _lengths;
        var overlays = _overlays;
        for (var i = 0; i < lengths.Length; i++)
        {
            var key = Mask(address, lengths[i]);
            if (overlays is not null && overlays[i].TryGetValue(key, out target))
            {
                if (target.Kind != RouteKind.None)
                {
                    return true;
                }
            }
            else if (_maps[i].TryGetValue(key, out target))
            {
                return true;
            }
        }

        target = default;
        return false;
    }

    private static (byte[] Lengths, UInt128Map<RouteTarget>[] Maps) Group(IReadOnlyList<(UInt128 Prefix, int Length, RouteTarget Target)> routes)
    {
        var byLength = new SortedDictionary<int, List<KeyValuePair<UInt128, RouteTarget>>>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var (prefix, length, target) in routes)
        {
            if (!byLength.TryGetValue(length, out var list))
            {
                byLength[length] = list = [];
            }

            list.Add(new(Mask(prefix, length), target));
        }

        var lengths = new byte[byLength.Count];
        var maps = new UInt128Map<RouteTarget>[byLength.Count];
        var n = 0;
        foreach (var (length, list) in byLength)
        {
            lengths[n] = (byte)length;
            maps[n] = new UInt128Map<RouteTarget>([.. list]);
            n++;
        }

        return (lengths, maps);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 Mask(UInt128 address, int length) => length == 0 ? UInt128.Zero : address & (UInt128.MaxValue << (128 - length));
}
