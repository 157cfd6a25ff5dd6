using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Tables;

/// <summary>
/// Immutable IPv4 longest-prefix-match table: one hash probe per distinct prefix length present, longest first.
/// VNIs hold few distinct lengths (/32 host routes, a handful of subnets, /0), so this beats a bit trie and needs no
/// DIR-24-8 sized memory per VNI.
/// </summary>
internal sealed class Lpm4
{
    private readonly byte[] _lengths;
    private readonly UInt64Map<RouteTarget> _map;

    public Lpm4(IReadOnlyList<(uint Prefix, int Length, RouteTarget Target)> routes)
    {
        var lengths = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        var items = new KeyValuePair<ulong, RouteTarget>[routes.Count];
        for (var i = 0; i < routes.Count; i++)
        {
            var (prefix, length, target) = routes[i];
            lengths.Add(length);
            items[i] = new(Key(Mask(prefix, length), length), target);
        }

        _lengths = [.. lengths.Select(l => (byte)l)];
        _map = new UInt64Map<RouteTarget>(items);
    }

    public static Lpm4 Empty { get; } = new([]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(uint address, out RouteTarget target)
    {
        var lengths = _lengths;
        for (var i = 0; i < lengths.Length; i++)
        {
            var length = lengths[i];
            if (_map.TryGetValue(Key(Mask(address, length), length), out target))
            {
                return true;
            }
        }

        target = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mask(uint address, int length) => length == 0 ? 0u : address & (uint.MaxValue << (32 - length));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(uint masked, int length) => ((ulong)(uint)length << 32) | masked;
}

/// <summary>Immutable IPv6 longest-prefix-match table, one map per distinct prefix length, longest first.</summary>
internal sealed class Lpm6
{
    private readonly byte[] _lengths;
    private readonly UInt128Map<RouteTarget>[] _maps;

    public Lpm6(IReadOnlyList<(UInt128 Prefix, int Length, RouteTarget Target)> routes)
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

        _lengths = new byte[byLength.Count];
        _maps = new UInt128Map<RouteTarget>[byLength.Count];
        var n = 0;
        foreach (var (length, list) in byLength)
        {
            _lengths[n] = (byte)length;
            _maps[n] = new UInt128Map<RouteTarget>([.. list]);
            n++;
        }
    }

    public static Lpm6 Empty { get; } = new([]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(UInt128 address, out RouteTarget target)
    {
        var lengths = _lengths;
        for (var i = 0; i < lengths.Length; i++)
        {
            if (_maps[i].TryGetValue(Mask(address, lengths[i]), out target))
            {
                return true;
            }
        }

        target = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 Mask(UInt128 address, int length) => length == 0 ? UInt128.Zero : address & (UInt128.MaxValue << (128 - length));
}
