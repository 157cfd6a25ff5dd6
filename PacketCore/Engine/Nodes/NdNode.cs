using System.Buffers.Binary;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Headers;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Nodes;

/// <summary>
/// IPv6 neighbor discovery. Toward VMs (dpservice §2.10): an NS for the gateway fe80::1 gets an NA (router, solicited,
/// override; target link-layer = port MAC), an RS gets an RA (managed, other, lifetime 0xffff, hop limit 255, source
/// link-layer option); other NS are dropped. On the uplink PacketCore is a host: it answers NS for its underlay addresses
/// (the host address and every object's /128) and learns the router's MAC from NA/RA/NS sent by the router.
/// </summary>
internal static class NdNode
{
    /// <summary>Length of a generated NA or NS frame (Ethernet + IPv6 + 24-byte message + 8-byte link-layer option).</summary>
    public const int NaFrameLength = EthernetLayout.HeaderLength + Ipv6Layout.Length + 32;

    /// <summary>Length of a generated RA frame (Ethernet + IPv6 + 16-byte message + 8-byte link-layer option).</summary>
    public const int RaFrameLength = EthernetLayout.HeaderLength + Ipv6Layout.Length + 24;

    private const int IcmpStart = EthernetLayout.HeaderLength + Ipv6Layout.Length;

    /// <summary>Handles ND from a VM in <paramref name="area"/> (frame at 0; the rest of the slot is writable).</summary>
    public static DropReason ProcessFromVm(Span<byte> area, ReadOnlySpan<byte> icmp, ulong portMac, out int replyLength)
    {
        replyLength = 0;
        var ip = area[EthernetLayout.HeaderLength..];
        var source = BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6Layout.Source..]);
        var requesterMac = Mac.Read(area[EthernetLayout.Source..]);
        var destination = source == UInt128.Zero ? WellKnown.AllNodes : source;
        var ethDestination = source == UInt128.Zero ? PacketWriter.MulticastMac(WellKnown.AllNodes) : requesterMac;
        switch (icmp[IcmpLayout.Type])
        {
            case NdLayout.NeighborSolicitation:
                if (icmp.Length < NdLayout.NsNaOptions || BinaryPrimitives.ReadUInt128BigEndian(icmp[NdLayout.Target..]) != WellKnown.GatewayIpv6)
                {
                    return DropReason.NeighborDiscoveryIgnored;
                }

                var flags = NdLayout.NaRouter | NdLayout.NaOverride | (source == UInt128.Zero ? 0 : NdLayout.NaSolicited);
                replyLength = WriteAdvertisement(area, ethDestination, portMac, WellKnown.GatewayIpv6, destination, WellKnown.GatewayIpv6, flags);
                return DropReason.None;
            case NdLayout.RouterSolicitation:
                replyLength = WriteRouterAdvertisement(area, ethDestination, portMac, destination);
                return DropReason.None;
            case NdLayout.NeighborAdvertisement:
                return DropReason.Consumed;
            default:
                return DropReason.NeighborDiscoveryIgnored;
        }
    }

    /// <summary>
    /// Handles ND on the uplink. Answers NS for our addresses; learns the router MAC (<paramref name="routerMac"/>)
    /// from the router's NA, RA or NS.
    /// </summary>
    public static DropReason ProcessFromUplink(
        Span<byte> area, ReadOnlySpan<byte> icmp, DataPlaneSnapshot snapshot, UInt128 hostUnderlay, UInt128 routerAddress,
        ulong uplinkMac, ref ulong routerMac, out int replyLength)
    {
        replyLength = 0;
        var ip = area[EthernetLayout.HeaderLength..];
        var source = BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6Layout.Source..]);
        var senderMac = Mac.Read(area[EthernetLayout.Source..]);
        var fromRouter = routerAddress != UInt128.Zero && source == routerAddress;
        switch (icmp[IcmpLayout.Type])
        {
            case NdLayout.NeighborSolicitation:
                if (icmp.Length < NdLayout.NsNaOptions)
                {
                    return DropReason.Malformed;
                }

                if (fromRouter)
                {
                    routerMac = senderMac;
                }

                var target = BinaryPrimitives.ReadUInt128BigEndian(icmp[NdLayout.Target..]);
                if (target != hostUnderlay && !snapshot.Vnfs.ContainsKey(target))
                {
                    return DropReason.NeighborDiscoveryIgnored;
                }

                var destination = source == UInt128.Zero ? WellKnown.AllNodes : source;
                var ethDestination = source == UInt128.Zero ? PacketWriter.MulticastMac(WellKnown.AllNodes) : senderMac;
                var flags = NdLayout.NaOverride | (source == UInt128.Zero ? 0 : NdLayout.NaSolicited);
                replyLength = WriteAdvertisement(area, ethDestination, uplinkMac, target, destination, target, flags);
                return DropReason.None;
            case NdLayout.NeighborAdvertisement:
                if (icmp.Length >= NdLayout.NsNaOptions && routerAddress != UInt128.Zero &&
                    BinaryPrimitives.ReadUInt128BigEndian(icmp[NdLayout.Target..]) == routerAddress)
                {
                    routerMac = FindLinkLayerOption(icmp[NdLayout.NsNaOptions..], NdLayout.OptionTargetLinkLayer, senderMac);
                }

                return DropReason.Consumed;
            case NdLayout.RouterAdvertisement:
                if (routerAddress == UInt128.Zero || fromRouter)
                {
                    routerMac = icmp.Length >= NdLayout.RaOptions
                        ? FindLinkLayerOption(icmp[NdLayout.RaOptions..], NdLayout.OptionSourceLinkLayer, senderMac)
                        : senderMac;
                }

                return DropReason.Consumed;
            default:
                return DropReason.NeighborDiscoveryIgnored;
        }
    }

    /// <summary>Writes a neighbor solicitation for <paramref name="target"/> (to its solicited-node group).</summary>
    public static int WriteSolicitation(Span<byte> area, ulong sourceMac, UInt128 source, UInt128 target)
    {
        var group = PacketWriter.SolicitedNode(target);
        PacketWriter.Ethernet(area, PacketWriter.MulticastMac(group), sourceMac, EthernetLayout.TypeIpv6);
        var ip = area[EthernetLayout.HeaderLength..];
        PacketWriter.Ipv6(ip, source, group, IpProtocol.Icmpv6, 32, 255);
        var icmp = ip[Ipv6Layout.Length..];
        icmp[..32].Clear();
        icmp[IcmpLayout.Type] = NdLayout.NeighborSolicitation;
        BinaryPrimitives.WriteUInt128BigEndian(icmp[NdLayout.Target..], target);
        icmp[NdLayout.NsNaOptions] = NdLayout.OptionSourceLinkLayer;
        icmp[NdLayout.NsNaOptions + 1] = 1;
        Mac.Write(icmp[(NdLayout.NsNaOptions + 2)..], sourceMac);
        PacketWriter.Icmpv6Checksum(ip, 32);
        return NaFrameLength;
    }

    /// <summary>Writes an unsolicited RA toward a VM (also used for the periodic announcements).</summary>
    public static int WriteRouterAdvertisement(Span<byte> area, ulong ethDestination, ulong portMac, UInt128 destination)
    {
        PacketWriter.Ethernet(area, ethDestination, portMac, EthernetLayout.TypeIpv6);
        var ip = area[EthernetLayout.HeaderLength..];
        PacketWriter.Ipv6(ip, WellKnown.GatewayIpv6, destination, IpProtocol.Icmpv6, 24, 255);
        var icmp = ip[Ipv6Layout.Length..];
        icmp[..24].Clear();
        icmp[IcmpLayout.Type] = NdLayout.RouterAdvertisement;
        icmp[NdLayout.RaCurHopLimit] = 255;
        icmp[NdLayout.RaFlags] = NdLayout.RaManaged | NdLayout.RaOther;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[NdLayout.RaRouterLifetime..], 0xFFFF);
        icmp[NdLayout.RaOptions] = NdLayout.OptionSourceLinkLayer;
        icmp[NdLayout.RaOptions + 1] = 1;
        Mac.Write(icmp[(NdLayout.RaOptions + 2)..], portMac);
        PacketWriter.Icmpv6Checksum(ip, 24);
        return RaFrameLength;
    }

    /// <summary>Writes a neighbor advertisement (also used for the periodic unsolicited NA of the gateway).</summary>
    public static int WriteAdvertisement(Span<byte> area, ulong ethDestination, ulong sourceMac, UInt128 source, UInt128 destination, UInt128 target, uint flags)
    {
        PacketWriter.Ethernet(area, ethDestination, sourceMac, EthernetLayout.TypeIpv6);
        var ip = area[EthernetLayout.HeaderLength..];
        PacketWriter.Ipv6(ip, source, destination, IpProtocol.Icmpv6, 32, 255);
        var icmp = ip[Ipv6Layout.Length..];
        icmp[..32].Clear();
        icmp[IcmpLayout.Type] = NdLayout.NeighborAdvertisement;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[NdLayout.NaFlags..], flags);
        BinaryPrimitives.WriteUInt128BigEndian(icmp[NdLayout.Target..], target);
        icmp[NdLayout.NsNaOptions] = NdLayout.OptionTargetLinkLayer;
        icmp[NdLayout.NsNaOptions + 1] = 1;
        Mac.Write(icmp[(NdLayout.NsNaOptions + 2)..], sourceMac);
        PacketWriter.Icmpv6Checksum(ip, 32);
        return NaFrameLength;
    }

    private static ulong FindLinkLayerOption(ReadOnlySpan<byte> options, byte type, ulong fallback)
    {
        while (options.Length >= 8)
        {
            var length = options[1] * 8;
            if (length == 0 || length > options.Length)
            {
                break;
            }

            if (options[0] == type && length >= 8)
            {
                return Mac.Read(options[2..]);
            }

            options = options[length..];
        }

        return fallback;
    }
}
