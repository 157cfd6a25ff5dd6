using System.Buffers.Binary;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Graph;
using IronOrleans.PacketCore.Headers;

namespace IronOrleans.PacketCore.Nodes;

/// <summary>
/// The classifier (dpservice's <c>cls</c> plus the L3/L4 parsing of its <c>conntrack</c> node): parses each frame once
/// into <see cref="PacketMeta"/> and picks the node for it. Malformed or unsupported input is a drop reason, never an
/// exception. From the uplink only IP-in-IPv6 (next header 4/41) and neighbor discovery pass; from a VM ARP, IPv4 and
/// IPv6 with TCP, UDP or ICMP(v6) pass (so SCTP is not forwarded, as in dpservice), fragments do not.
/// </summary>
internal static class ClassifyNode
{
    private const int EthernetLength = EthernetLayout.HeaderLength;
    private const int TunnelInner = EthernetLength + Ipv6Layout.Length;

    public static DropReason FromVm(ReadOnlySpan<byte> frame, ref PacketMeta meta)
    {
        if (frame.Length < EthernetLength)
        {
            return DropReason.Malformed;
        }

        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[EthernetLayout.EtherType..]);
        if (etherType == EthernetLayout.TypeIpv4)
        {
            var reason = ParseIpv4(frame, EthernetLength, ref meta);
            if (reason != DropReason.None)
            {
                return reason;
            }

            meta.Kind = meta.Protocol == IpProtocol.Udp && meta.DestinationPort == DhcpLayout.ServerPort ? PacketKind.Dhcp : PacketKind.Ipv4;
            return DropReason.None;
        }

        if (etherType == EthernetLayout.TypeIpv6)
        {
            var reason = ParseIpv6(frame, EthernetLength, ref meta, out var neighborDiscovery);
            if (reason != DropReason.None)
            {
                return reason;
            }

            meta.Kind = neighborDiscovery ? PacketKind.NeighborDiscovery
                : meta.Protocol == IpProtocol.Udp && meta.DestinationPort == Dhcpv6Layout.ServerPort ? PacketKind.Dhcpv6
                : PacketKind.Ipv6;
            return DropReason.None;
        }

        if (etherType == EthernetLayout.TypeArp)
        {
            meta.Kind = PacketKind.Arp;
            return DropReason.None;
        }

        return DropReason.UnsupportedEtherType;
    }

    public static DropReason FromUplink(ReadOnlySpan<byte> frame, ref PacketMeta meta)
    {
        if (frame.Length < EthernetLength)
        {
            return DropReason.Malformed;
        }

        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[EthernetLayout.EtherType..]);
        if (etherType != EthernetLayout.TypeIpv6)
        {
            return etherType == EthernetLayout.TypeIpv4 ? DropReason.Ipv4OnUplink : DropReason.UnsupportedEtherType;
        }

        if (!Ipv6View.TryRead(frame[EthernetLength..], out var outer, out var inner))
        {
            return DropReason.Malformed;
        }

        var nextHeader = outer.NextHeader;
        if (nextHeader == IpProtocol.Icmpv6 && IsNeighborDiscovery(inner))
        {
            meta.Kind = PacketKind.UplinkNeighborDiscovery;
            meta.L4Offset = TunnelInner;
            meta.L4Length = (ushort)inner.Length;
            meta.IcmpType = inner[IcmpLayout.Type];
            return DropReason.None;
        }

        DropReason reason;
        if (nextHeader == IpProtocol.IpInIp)
        {
            reason = ParseIpv4(frame[..(TunnelInner + inner.Length)], TunnelInner, ref meta);
        }
        else if (nextHeader == IpProtocol.Ipv6InIp)
        {
            reason = ParseIpv6(frame[..(TunnelInner + inner.Length)], TunnelInner, ref meta, out _);
        }
        else
        {
            return DropReason.UplinkNotTunnel;
        }

        if (reason != DropReason.None)
        {
            return reason;
        }

        meta.OuterDestination = outer.Destination;
        meta.Kind = PacketKind.Tunnel;
        return DropReason.None;
    }

    private static DropReason ParseIpv4(ReadOnlySpan<byte> frame, int offset, ref PacketMeta meta)
    {
        if (!Ipv4View.TryRead(frame[offset..], out var ip, out var segment))
        {
            return DropReason.Malformed;
        }

        if (ip.IsFragment)
        {
            return DropReason.Fragment;
        }

        meta.IsIpv6 = false;
        meta.L3Offset = (ushort)offset;
        meta.L3Length = ip.TotalLength;
        meta.L4Offset = (ushort)(offset + ip.HeaderLength);
        meta.L4Length = (ushort)segment.Length;
        meta.Protocol = ip.Protocol;
        meta.Ttl = ip.Ttl;
        meta.Source = ip.Source;
        meta.Destination = ip.Destination;
        return ParseL4(segment, ref meta);
    }

    private static DropReason ParseIpv6(ReadOnlySpan<byte> frame, int offset, ref PacketMeta meta, out bool neighborDiscovery)
    {
        neighborDiscovery = false;
        if (!Ipv6View.TryRead(frame[offset..], out var ip, out var segment))
        {
            return DropReason.Malformed;
        }

        meta.IsIpv6 = true;
        meta.L3Offset = (ushort)offset;
        meta.L3Length = (ushort)(Ipv6Layout.Length + segment.Length);
        meta.L4Offset = (ushort)(offset + Ipv6Layout.Length);
        meta.L4Length = (ushort)segment.Length;
        meta.Protocol = ip.NextHeader;
        meta.Ttl = ip.HopLimit;
        meta.Source = ip.Source;
        meta.Destination = ip.Destination;
        if (meta.Protocol == IpProtocol.Icmpv6 && IsNeighborDiscovery(segment))
        {
            neighborDiscovery = true;
            meta.IcmpType = segment[IcmpLayout.Type];
            return DropReason.None;
        }

        return ParseL4(segment, ref meta);
    }

    private static DropReason ParseL4(ReadOnlySpan<byte> segment, ref PacketMeta meta)
    {
        var protocol = meta.Protocol;
        if (!L4View.TryRead(protocol, segment, out var l4))
        {
            return protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Icmp or IpProtocol.Icmpv6
                ? DropReason.Malformed
                : DropReason.UnsupportedProtocol;
        }

        if (protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            meta.IcmpType = l4.IcmpType;
            meta.IcmpCode = l4.IcmpCode;
            meta.SourcePort = 0;
            meta.DestinationPort = l4.IcmpIdentifier;
        }
        else
        {
            meta.SourcePort = l4.SourcePort;
            meta.DestinationPort = l4.DestinationPort;
            if (protocol == IpProtocol.Tcp)
            {
                meta.TcpFlags = l4.TcpFlags;
            }
        }

        return DropReason.None;
    }

    /// <summary>RS, RA, NS, NA or redirect (ICMPv6 types 133–137).</summary>
    private static bool IsNeighborDiscovery(ReadOnlySpan<byte> icmp) =>
        icmp.Length >= 4 && icmp[IcmpLayout.Type] is >= NdLayout.RouterSolicitation and <= 137;
}
