using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Headers;

/// <summary>Read-only view of an Ethernet II header.</summary>
internal readonly ref struct EthernetView
{
    private readonly ReadOnlySpan<byte> _bytes;

    private EthernetView(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ulong Destination => Mac.Read(_bytes[EthernetLayout.Destination..]);

    public ulong Source => Mac.Read(_bytes[EthernetLayout.Source..]);

    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[EthernetLayout.EtherType..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> frame, out EthernetView view, out ReadOnlySpan<byte> payload)
    {
        if (frame.Length < EthernetLayout.HeaderLength)
        {
            view = default;
            payload = default;
            return false;
        }

        view = new EthernetView(frame);
        payload = frame[EthernetLayout.HeaderLength..];
        return true;
    }
}

/// <summary>Read-only view of an IPv4 header; <c>payload</c> is cut to the total length (Ethernet padding removed).</summary>
internal readonly ref struct Ipv4View
{
    private readonly ReadOnlySpan<byte> _bytes;

    private Ipv4View(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public int HeaderLength => (_bytes[Ipv4Layout.VersionIhl] & 0x0F) * 4;

    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[Ipv4Layout.TotalLength..]);

    public byte Ttl => _bytes[Ipv4Layout.Ttl];

    public byte Protocol => _bytes[Ipv4Layout.Protocol];

    public uint Source => BinaryPrimitives.ReadUInt32BigEndian(_bytes[Ipv4Layout.Source..]);

    public uint Destination => BinaryPrimitives.ReadUInt32BigEndian(_bytes[Ipv4Layout.Destination..]);

    public bool IsFragment => (BinaryPrimitives.ReadUInt16BigEndian(_bytes[Ipv4Layout.FlagsFragment..]) & Ipv4Layout.FragmentMask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> packet, out Ipv4View view, out ReadOnlySpan<byte> payload)
    {
        view = default;
        payload = default;
        if (packet.Length < Ipv4Layout.MinLength)
        {
            return false;
        }

        var versionIhl = packet[Ipv4Layout.VersionIhl];
        var headerLength = (versionIhl & 0x0F) * 4;
        var total = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv4Layout.TotalLength..]);
        if ((versionIhl >> 4) != 4 || headerLength < Ipv4Layout.MinLength || total < headerLength || total > packet.Length)
        {
            return false;
        }

        view = new Ipv4View(packet);
        payload = packet[headerLength..total];
        return true;
    }
}

/// <summary>Read-only view of an IPv6 fixed header; <c>payload</c> is cut to the payload length.</summary>
internal readonly ref struct Ipv6View
{
    private readonly ReadOnlySpan<byte> _bytes;

    private Ipv6View(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[Ipv6Layout.PayloadLength..]);

    public byte NextHeader => _bytes[Ipv6Layout.NextHeader];

    public byte HopLimit => _bytes[Ipv6Layout.HopLimit];

    public UInt128 Source => BinaryPrimitives.ReadUInt128BigEndian(_bytes[Ipv6Layout.Source..]);

    public UInt128 Destination => BinaryPrimitives.ReadUInt128BigEndian(_bytes[Ipv6Layout.Destination..]);

    public ReadOnlySpan<byte> SourceBytes => _bytes.Slice(Ipv6Layout.Source, 16);

    public ReadOnlySpan<byte> DestinationBytes => _bytes.Slice(Ipv6Layout.Destination, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> packet, out Ipv6View view, out ReadOnlySpan<byte> payload)
    {
        view = default;
        payload = default;
        if (packet.Length < Ipv6Layout.Length || (packet[Ipv6Layout.VersionClassFlow] >> 4) != 6)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv6Layout.PayloadLength..]);
        if (Ipv6Layout.Length + length > packet.Length)
        {
            return false;
        }

        view = new Ipv6View(packet);
        payload = packet.Slice(Ipv6Layout.Length, length);
        return true;
    }
}

/// <summary>Read-only view of the port pair shared by TCP and UDP (and ICMP type/code/identifier).</summary>
internal readonly ref struct L4View
{
    private readonly ReadOnlySpan<byte> _bytes;

    private L4View(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);

    public byte TcpFlags => _bytes[TcpLayout.Flags];

    public byte IcmpType => _bytes[IcmpLayout.Type];

    public byte IcmpCode => _bytes[IcmpLayout.Code];

    public ushort IcmpIdentifier => BinaryPrimitives.ReadUInt16BigEndian(_bytes[IcmpLayout.Identifier..]);

    /// <summary>Validates the minimum header of <paramref name="protocol"/> (TCP 20, UDP 8, ICMP/ICMPv6 8 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(byte protocol, ReadOnlySpan<byte> segment, out L4View view)
    {
        var min = protocol switch
        {
            IpProtocol.Tcp => TcpLayout.MinLength,
            IpProtocol.Udp => UdpLayout.HeaderLength,
            IpProtocol.Icmp or IpProtocol.Icmpv6 => IcmpLayout.HeaderLength,
            _ => int.MaxValue,
        };
        if (segment.Length < min)
        {
            view = default;
            return false;
        }

        view = new L4View(segment);
        return true;
    }
}

/// <summary>MAC addresses as 48-bit values in the low bits of a <see cref="ulong"/>.</summary>
internal static class Mac
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read(ReadOnlySpan<byte> bytes) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> bytes, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)mac);
    }

    public static bool IsMulticast(ulong mac) => (mac & 0x0100_0000_0000UL) != 0;
}
