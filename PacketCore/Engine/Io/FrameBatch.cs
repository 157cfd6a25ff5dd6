using System.Diagnostics;
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
    /// <summary>Per slot: where its frame starts within the slot (high 16 bits) and its length (low 16 bits), in one word
    /// so a loop over the burst reads and writes one value per frame.</summary>
    private readonly int[] _frames;

    public FrameBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, ushort.MaxValue);
        Capacity = capacity;
        _slab = GC.AllocateArray<byte>(capacity * SlotSize, pinned: true);
        _frames = new int[capacity];
    }

    public int Capacity { get; }

    /// <summary>The writable area of a slot for a port to receive into (starts after the headroom).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> ReceiveBuffer(int slot) => _slab.AsSpan((slot * SlotSize) + Headroom, MaxFrameLength);

    /// <summary>Marks a slot as holding a received frame of <paramref name="length"/> bytes at the default offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetReceived(int slot, int length)
    {
        _frames[slot] = Pack(Headroom, length);
    }

    /// <summary>The frame currently in <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Frame(int slot)
    {
        var frame = _frames[slot];
        return _slab.AsSpan((slot * SlotSize) + OffsetOfPacked(frame), LengthOfPacked(frame));
    }

    /// <summary>The whole slab, slot after slot (for a loop that walks many slots without re-reading this object).</summary>
    internal Span<byte> Slab => _slab;

    /// <summary>Per slot: the packed offset and length of its frame (see <see cref="Pack"/>).</summary>
    internal Span<int> Frames => _frames;

    /// <summary>Offset of the frame within its slot.</summary>
    internal int OffsetOf(int slot) => OffsetOfPacked(_frames[slot]);

    internal int LengthOf(int slot) => LengthOfPacked(_frames[slot]);

    /// <summary>One packed <see cref="Frames"/> value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Pack(int offset, int length)
    {
        Debug.Assert((uint)offset < SlotSize && (uint)length <= SlotSize, "a frame lies within its slot");
        return (offset << 16) | length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OffsetOfPacked(int frame) => frame >> 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int LengthOfPacked(int frame) => frame & 0xFFFF;

    /// <summary>The whole slot (headroom included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<byte> Slot(int slot) => _slab.AsSpan(slot * SlotSize, SlotSize);

    /// <summary>Sets where the frame starts within its slot and its length (moving the start back prepends headers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetFrame(int slot, int offset, int length)
    {
        _frames[slot] = Pack(offset, length);
    }
}
