using System.Runtime.InteropServices;

namespace IronOrleans.PacketCore.Graph;

/// <summary>What the classifier found a frame to be; decides the node that handles it.</summary>
internal enum PacketKind : byte
{
    None = 0,

    /// <summary>ARP from a VM → the ARP responder.</summary>
    Arp,

    /// <summary>IPv4 from a VM (TCP/UDP/ICMP) → conntrack, NAT, routing.</summary>
    Ipv4,

    /// <summary>IPv6 from a VM (TCP/UDP/ICMPv6) → conntrack, routing.</summary>
    Ipv6,

    /// <summary>DHCPv4 request from a VM → the DHCP responder.</summary>
    Dhcp,

    /// <summary>DHCPv6 request from a VM → the DHCPv6 responder.</summary>
    Dhcpv6,

    /// <summary>Neighbor discovery from a VM → the ND responder.</summary>
    NeighborDiscovery,

    /// <summary>Neighbor discovery on the uplink → the host-side ND responder.</summary>
    UplinkNeighborDiscovery,

    /// <summary>IP-in-IPv6 on the uplink → decapsulation.</summary>
    Tunnel,
}

/// <summary>
/// Per-packet metadata, filled once by the classifier (<see cref="Nodes.ClassifyNode"/>) and read by every later
/// stage, in an array parallel to the worker's frame slots (dpservice's <c>dp_flow</c>). Blittable; offsets are from the
/// start of the frame; addresses and ports are those of the (inner) IP packet. For ICMP the identifier is in
/// <see cref="DestinationPort"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PacketMeta
{
    public UInt128 Source;
    public UInt128 Destination;

    /// <summary>Outer IPv6 destination of a tunnel packet (the underlay address that names the target).</summary>
    public UInt128 OuterDestination;

    public ushort L3Offset;
    public ushort L3Length;
    public ushort L4Offset;
    public ushort L4Length;
    public ushort SourcePort;
    public ushort DestinationPort;
    public PacketKind Kind;
    public byte Protocol;
    public byte Ttl;
    public byte TcpFlags;
    public byte IcmpType;
    public byte IcmpCode;
    public bool IsIpv6;

    /// <summary>IPv4 header length (the L4 offset minus the L3 offset).</summary>
    public readonly int HeaderLength => L4Offset - L3Offset;
}
