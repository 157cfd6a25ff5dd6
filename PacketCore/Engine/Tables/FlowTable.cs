using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IronOrleans.PacketCore.Tables;

/// <summary>
/// Connection-tracking key (dpservice §2.5): VNI, protocol, both addresses (IPv4 in the low 32 bits) and both ports,
/// packed into six 64-bit words (no padding) so hashing and comparing are a handful of word operations.
/// For ICMP echo the type takes the source-port slot and the identifier the destination-port slot.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlowKey : IEquatable<FlowKey>
{
    public ulong SourceHigh;
    public ulong SourceLow;
    public ulong DestinationHigh;
    public ulong DestinationLow;

    /// <summary>VNI (bits 63..32), source port (31..16), destination port (15..0).</summary>
    public ulong VniPorts;

    /// <summary>Protocol (bits 7..0) and the IPv6 flag (bit 8).</summary>
    public ulong ProtocolFamily;

    public UInt128 Source
    {
        readonly get => new(SourceHigh, SourceLow);
        set
        {
            SourceHigh = (ulong)(value >> 64);
            SourceLow = (ulong)value;
        }
    }

    public UInt128 Destination
    {
        readonly get => new(DestinationHigh, DestinationLow);
        set
        {
            DestinationHigh = (ulong)(value >> 64);
            DestinationLow = (ulong)value;
        }
    }

    public uint Vni
    {
        readonly get => (uint)(VniPorts >> 32);
        set => VniPorts = ((ulong)value << 32) | (uint)VniPorts;
    }

    public ushort SourcePort
    {
        readonly get => (ushort)(VniPorts >> 16);
        set => VniPorts = (VniPorts & 0xFFFF_FFFF_0000_FFFFUL) | ((ulong)value << 16);
    }

    public ushort DestinationPort
    {
        readonly get => (ushort)VniPorts;
        set => VniPorts = (VniPorts & 0xFFFF_FFFF_FFFF_0000UL) | value;
    }

    public byte Protocol
    {
        readonly get => (byte)ProtocolFamily;
        set => ProtocolFamily = (ProtocolFamily & ~0xFFUL) | value;
    }

    public bool IsIpv6
    {
        readonly get => (ProtocolFamily & 0x100) != 0;
        set => ProtocolFamily = (ProtocolFamily & 0xFF) | (value ? 0x100UL : 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FlowKey Create(uint vni, UInt128 source, UInt128 destination, byte protocol, ushort sourcePort, ushort destinationPort, bool isIpv6) => new()
    {
        SourceHigh = (ulong)(source >> 64),
        SourceLow = (ulong)source,
        DestinationHigh = (ulong)(destination >> 64),
        DestinationLow = (ulong)destination,
        VniPorts = ((ulong)vni << 32) | ((uint)sourcePort << 16) | destinationPort,
        ProtocolFamily = protocol | (isIpv6 ? 0x100UL : 0),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint Hash()
    {
        var h = (SourceLow * 0x9E3779B97F4A7C15UL) ^ (SourceHigh * 0xC2B2AE3D27D4EB4FUL) ^
                (DestinationLow * 0x165667B19E3779F9UL) ^ (DestinationHigh * 0x27D4EB2F165667C5UL) ^
                (VniPorts * 0x94D049BB133111EBUL) ^ (ProtocolFamily * 0xBF58476D1CE4E5B9UL);
        h ^= h >> 29;
        return (uint)(h ^ (h >> 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Same(in FlowKey a, in FlowKey b) =>
        ((a.SourceLow ^ b.SourceLow) | (a.SourceHigh ^ b.SourceHigh) | (a.DestinationLow ^ b.DestinationLow) |
         (a.DestinationHigh ^ b.DestinationHigh) | (a.VniPorts ^ b.VniPorts) | (a.ProtocolFamily ^ b.ProtocolFamily)) == 0;

    public readonly bool Equals(FlowKey other) => Same(in this, in other);

    public override readonly bool Equals(object? obj) => obj is FlowKey other && Equals(other);

    public override readonly int GetHashCode() => (int)Hash();
}

/// <summary>dpservice's simple TCP state machine.</summary>
internal enum TcpState : byte
{
    None = 0,
    Syn,
    SynAck,
    Established,
    FinWait,
    RstFin,
}

[Flags]
internal enum FlowFlags : byte
{
    None = 0,

    /// <summary>Outbound flow whose source is translated to <see cref="FlowEntry.NatAddress"/> (VIP SNAT).</summary>
    SourceNat = 1,

    /// <summary>Inbound flow to a VIP whose destination is translated to <see cref="FlowEntry.PrivateAddress"/>.</summary>
    DestinationNat = 2,
}

/// <summary>One bidirectional flow; stored once, indexed under its original and its reply key.</summary>
internal struct FlowEntry
{
    public FlowKey Original;
    public FlowKey Reply;

    /// <summary>Route of the original direction, valid while <see cref="OriginalVersion"/> is the snapshot version.</summary>
    public RouteTarget OriginalRoute;

    /// <summary>Route of the reply direction, valid while <see cref="ReplyVersion"/> is the snapshot version.</summary>
    public RouteTarget ReplyRoute;

    public long OriginalVersion;
    public long ReplyVersion;
    public long LastSeen;
    /// <summary>
    /// The NAT epoch of the interface on <see cref="NatPort"/> when the flow was made; only that interface's NAT changes
    /// make the flow stale (a local flow between two VMs must not be flushed by the other VM's epoch).
    /// </summary>
    public long NatEpoch;
    public uint NatAddress;
    public uint PrivateAddress;
    public FlowFlags Flags;
    public TcpState TcpState;
    public bool InUse;

    /// <summary>The VM port whose interface's NAT epoch <see cref="NatEpoch"/> is.</summary>
    public ushort NatPort;
}

/// <summary>
/// A worker's flow table: a fixed array of entries (free list) and an open-addressing index (linear probing,
/// backward-shift deletion) holding both keys of every flow at load ≤ 1/2. Aging is incremental: each burst examines a
/// bounded number of entries from a cursor (<see cref="AgeSome"/>); expired entries found on lookup are treated as absent.
/// Owned by one worker; no locks, no allocation after construction.
/// </summary>
internal sealed class FlowTable
{
    private readonly FlowEntry[] _entries;
    private readonly int[] _free;
    /// <summary>The open-addressing index: per slot the key's hash (high 32 bits) and its value (low 32 bits, 0 = empty),
    /// so a probe touches one cache line before the entry.</summary>
    private readonly ulong[] _index;
    private readonly int _mask;
    private readonly long _defaultTimeout;
    private readonly long _establishedTimeout;
    private int _freeCount;
    private int _highWater;
    private int _cursor;
    private int _recent0;
    private int _recent1;

    public FlowTable(int capacity, long defaultTimeoutTicks, long establishedTimeoutTicks)
    {
        _entries = new FlowEntry[capacity];
        _free = new int[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _free[i] = capacity - 1 - i;
        }

        _freeCount = capacity;
        var size = 16;
        while (size < capacity * 4)
        {
            size <<= 1;
        }

        _index = new ulong[size];
        _mask = size - 1;
        _defaultTimeout = defaultTimeoutTicks;
        _establishedTimeout = establishedTimeoutTicks;
    }

    public int Count { get; private set; }

    public int Capacity => _entries.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref FlowEntry Entry(int flow) => ref _entries[flow];

    /// <summary>
    /// Finds the flow of <paramref name="key"/>. Returns its index (and whether <paramref name="key"/> is the reply
    /// direction), or -1. An expired flow is removed and reported absent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(in FlowKey key, long now, out bool isReply)
    {
        // dpservice's "same flow as the previous packets" cache: two recent (flow, direction) values checked first.
        var value = Recent(in key, _recent0);
        if (value == 0)
        {
            value = Recent(in key, _recent1);
            if (value == 0)
            {
                value = Probe(in key);
                if (value == 0)
                {
                    isReply = false;
                    return -1;
                }
            }

            _recent1 = _recent0;
            _recent0 = value;
        }

        var flow = (value - 1) >> 1;
        ref var entry = ref _entries[flow];
        if (now - entry.LastSeen > TimeoutOf(in entry))
        {
            Remove(flow);
            isReply = false;
            return -1;
        }

        isReply = ((value - 1) & 1) != 0;
        return flow;
    }

    /// <summary>
    /// <see cref="Lookup"/> for a caller that keeps its own recent-flow cache (the fast path's trains) and must not
    /// change anything when it gives up: straight to the index, and an expired flow is reported absent but left for
    /// <see cref="Lookup"/> or aging to remove.
    /// </summary>
    public int LookupIndexed(in FlowKey key, long now, out bool isReply)
    {
        var value = Probe(in key);
        var flow = (value - 1) >> 1;
        if (value == 0 || now - _entries[flow].LastSeen > TimeoutOf(in _entries[flow]))
        {
            isReply = false;
            return -1;
        }

        isReply = ((value - 1) & 1) != 0;
        return flow;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Recent(in FlowKey key, int value)
    {
        if (value == 0)
        {
            return 0;
        }

        ref var entry = ref _entries[(value - 1) >> 1];
        return entry.InUse && FlowKey.Same(in (((value - 1) & 1) != 0 ? ref entry.Reply : ref entry.Original), in key) ? value : 0;
    }

    private int Probe(in FlowKey key)
    {
        var hash = key.Hash();
        var i = (int)hash & _mask;
        int value;
        ulong slot;
        while ((value = (int)(uint)(slot = _index[i])) != 0)
        {
            if ((uint)(slot >> 32) == hash)
            {
                ref var entry = ref _entries[(value - 1) >> 1];
                if (FlowKey.Same(in (((value - 1) & 1) != 0 ? ref entry.Reply : ref entry.Original), in key))
                {
                    return value;
                }
            }

            i = (i + 1) & _mask;
        }

        return 0;
    }

    /// <summary>Creates a flow; returns -1 when the table is full or the reply key is already taken.</summary>
    public int Create(in FlowKey original, in FlowKey reply, long now)
    {
        if (_freeCount == 0 || Find(in reply, reply.Hash()) >= 0 || Find(in original, original.Hash()) >= 0)
        {
            return -1;
        }

        var flow = _free[--_freeCount];
        ref var entry = ref _entries[flow];
        entry = default;
        entry.Original = original;
        entry.Reply = reply;
        entry.LastSeen = now;
        entry.InUse = true;
        Insert(original.Hash(), (flow << 1) + 1);
        if (!FlowKey.Same(in reply, in original))
        {
            Insert(reply.Hash(), (flow << 1) + 2);
        }

        if (flow >= _highWater)
        {
            _highWater = flow + 1;
        }

        Count++;
        return flow;
    }

    public void Remove(int flow)
    {
        ref var entry = ref _entries[flow];
        if (!entry.InUse)
        {
            return;
        }

        RemoveKey(in entry.Original);
        RemoveKey(in entry.Reply);
        entry.InUse = false;
        _free[_freeCount++] = flow;
        Count--;
    }

    /// <summary>Advances the TCP state machine for a packet with <paramref name="flags"/> in the given direction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TrackTcp(ref FlowEntry entry, byte flags, bool isReply)
    {
        const byte syn = Headers.TcpLayout.Syn, ack = Headers.TcpLayout.Ack, fin = Headers.TcpLayout.Fin, rst = Headers.TcpLayout.Rst;
        if ((flags & rst) != 0)
        {
            entry.TcpState = TcpState.RstFin;
        }
        else if ((flags & (syn | ack)) == syn)
        {
            entry.TcpState = TcpState.Syn;
        }
        else if ((flags & (syn | ack)) == (syn | ack))
        {
            if (isReply && entry.TcpState == TcpState.Syn)
            {
                entry.TcpState = TcpState.SynAck;
            }
        }
        else if ((flags & fin) != 0)
        {
            entry.TcpState = entry.TcpState == TcpState.Established ? TcpState.FinWait : TcpState.RstFin;
        }
        else if ((flags & ack) != 0 && !isReply && entry.TcpState == TcpState.SynAck)
        {
            entry.TcpState = TcpState.Established;
        }
    }

    /// <summary>Examines up to <paramref name="budget"/> entries from the aging cursor and removes the expired ones.</summary>
    /// <returns>Flows removed.</returns>
    public int AgeSome(long now, int budget)
    {
        var removed = 0;
        var limit = _highWater;
        if (limit == 0)
        {
            return 0;
        }

        budget = Math.Min(budget, limit);
        for (var n = 0; n < budget; n++)
        {
            if (_cursor >= limit)
            {
                _cursor = 0;
            }

            ref var entry = ref _entries[_cursor];
            if (entry.InUse && now - entry.LastSeen > TimeoutOf(in entry))
            {
                Remove(_cursor);
                removed++;
            }

            _cursor++;
        }

        return removed;
    }

    /// <summary>The cursor position of the incremental aging (for tests).</summary>
    internal int AgingCursor => _cursor;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long TimeoutOf(in FlowEntry entry) => entry.TcpState == TcpState.Established ? _establishedTimeout : _defaultTimeout;

    private int Find(in FlowKey key, uint hash)
    {
        var i = (int)hash & _mask;
        int value;
        ulong slot;
        while ((value = (int)(uint)(slot = _index[i])) != 0)
        {
            if ((uint)(slot >> 32) == hash)
            {
                ref var entry = ref _entries[(value - 1) >> 1];
                if (FlowKey.Same(in (((value - 1) & 1) != 0 ? ref entry.Reply : ref entry.Original), in key))
                {
                    return i;
                }
            }

            i = (i + 1) & _mask;
        }

        return -1;
    }

    private void Insert(uint hash, int value)
    {
        var i = (int)hash & _mask;
        while (_index[i] != 0)
        {
            i = (i + 1) & _mask;
        }

        _index[i] = ((ulong)hash << 32) | (uint)value;
    }

    private void RemoveKey(in FlowKey key)
    {
        var i = Find(in key, key.Hash());
        if (i < 0)
        {
            return;
        }

        // Backward-shift deletion keeps every probe chain contiguous without tombstones.
        _index[i] = 0;
        var j = i;
        while (true)
        {
            j = (j + 1) & _mask;
            if (_index[j] == 0)
            {
                return;
            }

            var home = (int)(uint)(_index[j] >> 32) & _mask;
            var between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!between)
            {
                _index[i] = _index[j];
                _index[j] = 0;
                i = j;
            }
        }
    }
}
