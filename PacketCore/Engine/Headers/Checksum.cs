using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Headers;

/// <summary>Internet checksum (RFC 1071) and incremental updates (RFC 1624).</summary>
internal static class Checksum
{
    /// <summary>One's-complement sum of <paramref name="data"/> added to <paramref name="sum"/> (not folded).</summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var v = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            sum += (v >> 32) + (v & 0xFFFF_FFFF);
        }

        for (; i + 2 <= data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }

        return sum;
    }

    /// <summary>Folds a sum to 16 bits and complements it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Finish(ulong sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(data, 0));

    /// <summary>Pseudo-header sum for IPv4 (source, destination, protocol, L4 length).</summary>
    public static ulong PseudoHeader4(uint source, uint destination, byte protocol, int length) =>
        (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (uint)length;

    /// <summary>Pseudo-header sum for IPv6.</summary>
    public static ulong PseudoHeader6(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte nextHeader, int length) =>
        Add(destination, Add(source, 0)) + nextHeader + (uint)length;

    /// <summary>RFC 1624 eqn. 3: the checksum after one 16-bit word changed from <paramref name="old"/> to <paramref name="new"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update16(ushort checksum, ushort old, ushort @new)
    {
        uint sum = (ushort)~checksum + (uint)(ushort)~old + @new;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>The checksum after a 32-bit field (an IPv4 address) changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update32(ushort checksum, uint old, uint @new)
    {
        uint sum = (ushort)~checksum + (uint)(ushort)~(old >> 16) + (uint)(ushort)~old + (@new >> 16) + (@new & 0xFFFF);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
