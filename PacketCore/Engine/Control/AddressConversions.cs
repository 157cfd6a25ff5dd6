using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IronOrleans.PacketCore.Control;

/// <summary>Control-side conversions between <see cref="IPAddress"/> and the numeric forms the tables use (network order as value).</summary>
public static class AddressConversions
{
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException("Not an IPv4 address.", nameof(address));
        }

        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException("Not an IPv6 address.", nameof(address));
        }

        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress ToIPAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static IPAddress ToIPAddressV6(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static uint Mask4(uint address, int length) => length == 0 ? 0u : address & (uint.MaxValue << (32 - length));

    public static UInt128 Mask6(UInt128 address, int length) => length == 0 ? UInt128.Zero : address & (UInt128.MaxValue << (128 - length));
}
