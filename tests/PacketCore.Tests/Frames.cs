using System.Buffers.Binary;
using System.Net;

namespace IronOrleans.PacketCore.Tests;

/// <summary>Crafts test frames byte by byte (independently of the engine's writers) and checks checksums.</summary>
internal static class Frames
{
    public const ushort Ipv4Type = 0x0800;
    public const ushort Ipv6Type = 0x86DD;
    public const ushort ArpType = 0x0806;

    public static byte[] Mac(string text) => System.Net.NetworkInformation.PhysicalAddress.Parse(text).GetAddressBytes();

    public static byte[] Ip(string text) => IPAddress.Parse(text).GetAddressBytes();

    public static byte[] Ethernet(string destination, string source, ushort type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + payload.Length];
        Mac(destination).CopyTo(frame, 0);
        Mac(source).CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), type);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    public static byte[] Ipv4(string source, string destination, byte protocol, ReadOnlySpan<byte> payload, byte ttl = 64)
    {
        var packet = new byte[20 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        packet[8] = ttl;
        packet[9] = protocol;
        Ip(source).CopyTo(packet, 12);
        Ip(destination).CopyTo(packet, 16);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Fold(Sum(packet.AsSpan(0, 20), 0)));
        payload.CopyTo(packet.AsSpan(20));
        return packet;
    }

    public static byte[] Ipv6(string source, string destination, byte nextHeader, ReadOnlySpan<byte> payload, byte hopLimit = 64)
    {
        var packet = new byte[40 + payload.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)payload.Length);
        packet[6] = nextHeader;
        packet[7] = hopLimit;
        Ip(source).CopyTo(packet, 8);
        Ip(destination).CopyTo(packet, 24);
        payload.CopyTo(packet.AsSpan(40));
        return packet;
    }

    /// <summary>UDP in IPv4 with a valid checksum.</summary>
    public static byte[] Udp4(string source, string destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> data, byte ttl = 64)
    {
        var udp = UdpHeader(sourcePort, destinationPort, data);
        var sum = Sum(udp, PseudoSum(Ip(source), Ip(destination), 17, udp.Length));
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), Fold(sum));
        return Ipv4(source, destination, 17, udp, ttl);
    }

    /// <summary>TCP in IPv4 with a valid checksum.</summary>
    public static byte[] Tcp4(string source, string destination, ushort sourcePort, ushort destinationPort, byte flags, ReadOnlySpan<byte> data, byte ttl = 64)
    {
        var tcp = TcpHeader(sourcePort, destinationPort, flags, data);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), Fold(Sum(tcp, PseudoSum(Ip(source), Ip(destination), 6, tcp.Length))));
        return Ipv4(source, destination, 6, tcp, ttl);
    }

    public static byte[] IcmpEcho4(string source, string destination, byte type, ushort identifier, ushort sequence, byte ttl = 64)
    {
        var icmp = new byte[16];
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), sequence);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Fold(Sum(icmp, 0)));
        return Ipv4(source, destination, 1, icmp, ttl);
    }

    public static byte[] Udp6(string source, string destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> data, byte hopLimit = 64)
    {
        var udp = UdpHeader(sourcePort, destinationPort, data);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), Fold(Sum(udp, PseudoSum(Ip(source), Ip(destination), 17, udp.Length))));
        return Ipv6(source, destination, 17, udp, hopLimit);
    }

    public static byte[] Tcp6(string source, string destination, ushort sourcePort, ushort destinationPort, byte flags, ReadOnlySpan<byte> data, byte hopLimit = 64)
    {
        var tcp = TcpHeader(sourcePort, destinationPort, flags, data);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), Fold(Sum(tcp, PseudoSum(Ip(source), Ip(destination), 6, tcp.Length))));
        return Ipv6(source, destination, 6, tcp, hopLimit);
    }

    /// <summary>ICMPv6 message (type, code, body after the 4-byte header) with a valid checksum.</summary>
    public static byte[] Icmpv6(string source, string destination, byte type, byte code, ReadOnlySpan<byte> body, byte hopLimit = 255)
    {
        var icmp = new byte[4 + body.Length];
        icmp[0] = type;
        icmp[1] = code;
        body.CopyTo(icmp.AsSpan(4));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Fold(Sum(icmp, PseudoSum(Ip(source), Ip(destination), 58, icmp.Length))));
        return Ipv6(source, destination, 58, icmp, hopLimit);
    }

    public static byte[] ArpRequest(string senderMac, string senderIp, string targetIp)
    {
        var arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), 1);
        Mac(senderMac).CopyTo(arp, 8);
        Ip(senderIp).CopyTo(arp, 14);
        Ip(targetIp).CopyTo(arp, 24);
        return Ethernet("ff:ff:ff:ff:ff:ff", senderMac, ArpType, arp);
    }

    public static bool Ipv4HeaderValid(ReadOnlySpan<byte> ip) => Fold(Sum(ip[..((ip[0] & 0xF) * 4)], 0)) == 0;

    /// <summary>Verifies the TCP/UDP/ICMP checksum of an IPv4 packet.</summary>
    public static bool L4ChecksumValid4(ReadOnlySpan<byte> ip)
    {
        var headerLength = (ip[0] & 0xF) * 4;
        var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var l4 = ip[headerLength..total];
        var protocol = ip[9];
        if (protocol == 1)
        {
            return Fold(Sum(l4, 0)) == 0;
        }

        if (protocol == 17 && BinaryPrimitives.ReadUInt16BigEndian(l4[6..]) == 0)
        {
            return true;
        }

        return Fold(Sum(l4, PseudoSum(ip.Slice(12, 4).ToArray(), ip.Slice(16, 4).ToArray(), protocol, l4.Length))) == 0;
    }

    /// <summary>Verifies the L4 checksum (UDP/TCP/ICMPv6) of an IPv6 packet without extension headers.</summary>
    public static bool L4ChecksumValid6(ReadOnlySpan<byte> ip)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        var l4 = ip.Slice(40, length);
        return Fold(Sum(l4, PseudoSum(ip.Slice(8, 16).ToArray(), ip.Slice(24, 16).ToArray(), ip[6], length))) == 0;
    }

    private static byte[] UdpHeader(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> data)
    {
        var udp = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        data.CopyTo(udp.AsSpan(8));
        return udp;
    }

    private static byte[] TcpHeader(ushort sourcePort, ushort destinationPort, byte flags, ReadOnlySpan<byte> data)
    {
        var tcp = new byte[20 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 1000);
        tcp[12] = 0x50;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        data.CopyTo(tcp.AsSpan(20));
        return tcp;
    }

    private static uint PseudoSum(byte[] source, byte[] destination, byte protocol, int length) =>
        Sum(destination, Sum(source, 0)) + protocol + (uint)length;

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
