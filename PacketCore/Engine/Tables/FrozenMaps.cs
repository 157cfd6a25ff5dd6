using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Tables;

/// <summary>
/// Immutable open-addressing map from <see cref="ulong"/> keys, built once on the control side and read lock-free by
/// workers. Linear probing, load factor at most 1/2, no virtual calls on lookup (unlike FrozenDictionary).
/// </summary>
internal sealed class UInt64Map<T>
    where T : struct
{
    private readonly ulong[] _keys;
    private readonly T[] _values;
    private readonly bool[] _used;
    private readonly int _mask;

    public UInt64Map(ReadOnlySpan<KeyValuePair<ulong, T>> items)
    {
        var capacity = 4;
        while (capacity < items.Length * 2)
        {
            capacity <<= 1;
        }

        _keys = new ulong[capacity];
        _values = new T[capacity];
        _used = new bool[capacity];
        _mask = capacity - 1;
        foreach (var item in items)
        {
            var i = Hash(item.Key) & _mask;
            while (_used[i] && _keys[i] != item.Key)
            {
                i = (i + 1) & _mask;
            }

            _used[i] = true;
            _keys[i] = item.Key;
            _values[i] = item.Value;
        }

        Count = items.Length;
    }

    public static UInt64Map<T> Empty { get; } = new([]);

    public int Count { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ulong key, out T value)
    {
        var i = Hash(key) & _mask;
        while (_used[i])
        {
            if (_keys[i] == key)
            {
                value = _values[i];
                return true;
            }

            i = (i + 1) & _mask;
        }

        value = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 33);
}

/// <summary>Immutable open-addressing map from <see cref="UInt128"/> keys (underlay addresses, IPv6 prefixes).</summary>
internal sealed class UInt128Map<T>
    where T : struct
{
    private readonly UInt128[] _keys;
    private readonly T[] _values;
    private readonly bool[] _used;
    private readonly int _mask;

    public UInt128Map(ReadOnlySpan<KeyValuePair<UInt128, T>> items)
    {
        var capacity = 4;
        while (capacity < items.Length * 2)
        {
            capacity <<= 1;
        }

        _keys = new UInt128[capacity];
        _values = new T[capacity];
        _used = new bool[capacity];
        _mask = capacity - 1;
        foreach (var item in items)
        {
            var i = Hash(item.Key) & _mask;
            while (_used[i] && _keys[i] != item.Key)
            {
                i = (i + 1) & _mask;
            }

            _used[i] = true;
            _keys[i] = item.Key;
            _values[i] = item.Value;
        }

        Count = items.Length;
    }

    public static UInt128Map<T> Empty { get; } = new([]);

    public int Count { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(UInt128 key, out T value)
    {
        var i = Hash(key) & _mask;
        while (_used[i])
        {
            if (_keys[i] == key)
            {
                value = _values[i];
                return true;
            }

            i = (i + 1) & _mask;
        }

        value = default;
        return false;
    }

    public bool ContainsKey(UInt128 key) => TryGetValue(key, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(UInt128 key)
    {
        var x = (ulong)(key >> 64) * 0x9E3779B97F4A7C15UL ^ (ulong)key * 0xC2B2AE3D27D4EB4FUL;
        return (int)((x ^ (x >> 29)) >> 2);
    }
}
