using System.Buffers.Binary;
using IronOrleans.PacketCore.Headers;

namespace IronOrleans.PacketCore.Nodes;

/// <summary>Helpers that write the fixed headers of generated packets (responders, neighbor discovery, encapsulation).</summary>
internal static class PacketWriter
{
    public static void Ethernet(Span<byte> frame, ulong destination, ulong source, ushort etherType)
    {
        Mac.Write(frame[EthernetLayout.Destination..], destination);
        Mac.Write(frame[EthernetLayout.Source..], source);
        BinaryPrimitives.WriteUInt16BigEndian(frame[EthernetLayout.EtherType..], etherType);
    }

    /// <summary>Writes a 20-byte IPv4 header (TTL 64, no options) with its checksum.</summary>
    public static void Ipv4(Span<byte> ip, uint source, uint destination, byte protocol, int totalLength)
    {
        ip[Ipv4Layout.VersionIhl] = 0x45;
        ip[Ipv4Layout.Tos] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Layout.TotalLength..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4Layout.Identification..], 0);
        ip[Ipv4Layout.Ttl] = 64;
        ip[Ipv4Layout.Protocol] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Layout.Checksum..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4Layout.Source..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4Layout.Destination..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Layout.Checksum..], Checksum.Compute(ip[..Ipv4Layout.MinLength]));
    }

    /// <summary>Writes a 40-byte IPv6 header (traffic class and flow label 0).</summary>
    public static void Ipv6(Span<byte> ip, UInt128 source, UInt128 destination, byte nextHeader, int payloadLength, byte hopLimit)
    {
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv6Layout.PayloadLength..], (ushort)payloadLength);
        ip[Ipv6Layout.NextHeader] = nextHeader;
        ip[Ipv6Layout.HopLimit] = hopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(ip[Ipv6Layout.Source..], source);
        BinaryPrimitives.WriteUInt128BigEndian(ip[Ipv6Layout.Destination..], destination);
    }

    /// <summary>Fills in the UDP header of a datagram inside an IPv4 packet, including the checksum.</summary>
    public static void Udp4(Span<byte> udp, uint source, uint destination, ushort sourcePort, ushort destinationPort, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.SourcePort..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.DestinationPort..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.Length..], (ushort)length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.Checksum..], 0);
        var sum = Checksum.Finish(Checksum.Add(udp[..length], Checksum.PseudoHeader4(source, destination, IpProtocol.Udp, length)));
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.Checksum..], sum == 0 ? (ushort)0xFFFF : sum);
    }

    /// <summary>Fills in the UDP header of a datagram inside an IPv6 packet (<paramref name="ip"/> already written).</summary>
    public static void Udp6(Span<byte> ip, ushort sourcePort, ushort destinationPort, int length)
    {
        var udp = ip[Ipv6Layout.Length..];
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.SourcePort..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.DestinationPort..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.Length..], (ushort)length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.Checksum..], 0);
        var pseudo = Checksum.PseudoHeader6(ip.Slice(Ipv6Layout.Source, 16), ip.Slice(Ipv6Layout.Destination, 16), IpProtocol.Udp, length);
        var sum = Checksum.Finish(Checksum.Add(udp[..length], pseudo));
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpLayout.Checksum..], sum == 0 ? (ushort)0xFFFF : sum);
    }

    /// <summary>Computes the ICMPv6 checksum of the message following <paramref name="ip"/> (header already written).</summary>
    public static void Icmpv6Checksum(Span<byte> ip, int length)
    {
        var icmp = ip[Ipv6Layout.Length..];
        BinaryPrimitives.WriteUInt16BigEndian(icmp[IcmpLayout.Checksum..], 0);
        var pseudo = Checksum.PseudoHeader6(ip.Slice(Ipv6Layout.Source, 16), ip.Slice(Ipv6Layout.Destination, 16), IpProtocol.Icmpv6, length);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[IcmpLayout.Checksum..], Checksum.Finish(Checksum.Add(icmp[..length], pseudo)));
    }

    /// <summary>The solicited-node multicast address ff02::1:ffXX:XXXX of <paramref name="address"/>.</summary>
    public static UInt128 SolicitedNode(UInt128 address) => new(0xFF02_0000_0000_0000UL, 0x0000_0001_FF00_0000UL | ((ulong)address & 0xFF_FFFF));

    /// <summary>The Ethernet multicast MAC 33:33:xx:xx:xx:xx of an IPv6 multicast address.</summary>
    public static ulong MulticastMac(UInt128 address) => 0x3333_0000_0000UL | (uint)address;
}
