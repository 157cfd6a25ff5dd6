using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Io;

/// <summary>
/// The frames of one burst in a pinned slab of fixed-size slots (the mbuf pool of a worker). Each slot has headroom in
/// front of the received frame, so encapsulation can prepend the outer Ethernet + IPv6 headers without copying.
/// </summary>
public sealed class FrameBatch
{
    /// <summary>Bytes per slot.</summary>
    public const int SlotSize = 2048;

    /// <summary>Room before a received frame (outer Ethernet 14 + IPv6 40, rounded up).</summary>
    public const int Headroom = 128;

    /// <summary>Largest frame a slot receives (MTU 1500 + Ethernet + VLAN + the IPv6 underlay header, with margin).</summary>
    public const int MaxFrameLength = SlotSize - Headroom;

    private readonly byte[] _slab;
    private readonly int[] _offset;
    private readonly int[] _length;

    public FrameBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, ushort.MaxValue);
        Capacity = capacity;
        _slab = GC.AllocateArray<byte>(capacity * SlotSize, pinned: true);
        _offset = new int[capacity];
        _length = new int[capacity];
    }

    public int Capacity { get; }

    /// <summary>The writable area of a slot for a port to receive into (starts after the headroom).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> ReceiveBuffer(int slot) => _slab.AsSpan((slot * SlotSize) + Headroom, MaxFrameLength);

    /// <summary>Marks a slot as holding a received frame of <paramref name="length"/> bytes at the default offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetReceived(int slot, int length)
    {
        _offset[slot] = Headroom;
        _length[slot] = length;
    }

    /// <summary>The frame currently in <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Frame(int slot) => _slab.AsSpan((slot * SlotSize) + _offset[slot], _length[slot]);

    /// <summary>Offset of the frame within its slot.</summary>
    internal int OffsetOf(int slot) => _offset[slot];

    internal int LengthOf(int slot) => _length[slot];

    /// <summary>The whole slot (headroom included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<byte> Slot(int slot) => _slab.AsSpan(slot * SlotSize, SlotSize);

    /// <summary>Sets where the frame starts within its slot and its length (moving the start back prepends headers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetFrame(int slot, int offset, int length)
    {
        _offset[slot] = offset;
        _length[slot] = length;
    }
}
