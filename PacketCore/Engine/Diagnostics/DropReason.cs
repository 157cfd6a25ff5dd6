namespace IronOrleans.PacketCore.Diagnostics;

/// <summary>Why the packet path dropped (or consumed without answer) a frame. Every drop is counted under one reason.</summary>
public enum DropReason : byte
{
    /// <summary>Not dropped.</summary>
    None = 0,

    /// <summary>A header was truncated or inconsistent (lengths, IHL, version).</summary>
    Malformed,

    /// <summary>EtherType neither ARP, IPv4 nor IPv6.</summary>
    UnsupportedEtherType,

    /// <summary>ARP that is not a request for the gateway (169.254.0.1); dpservice does no proxy ARP.</summary>
    ArpNotForGateway,

    /// <summary>Traffic from a VM port that has no interface.</summary>
    NoInterface,

    /// <summary>IPv4 on the uplink (the underlay is IPv6 only).</summary>
    Ipv4OnUplink,

    /// <summary>IPv6 on the uplink that is neither IP-in-IPv6 nor neighbor discovery for us.</summary>
    UplinkNotTunnel,

    /// <summary>Outer destination is not one of this host's underlay addresses.</summary>
    UnknownUnderlay,

    /// <summary>The inner destination does not belong to the object the underlay address names (tenant isolation).</summary>
    InnerDestinationMismatch,

    /// <summary>No route in the VNI (including: the destination is in another VNI and no route leads there).</summary>
    NoRoute,

    /// <summary>IPv4 TTL or IPv6 hop limit would reach zero.</summary>
    TtlExceeded,

    /// <summary>L4 protocol other than TCP, UDP, ICMP or ICMPv6 (dpservice forwards only these).</summary>
    UnsupportedProtocol,

    /// <summary>ICMPv6 neighbor discovery that is not for us (other NS, redirects, …).</summary>
    NeighborDiscoveryIgnored,

    /// <summary>DHCP message the responder does not answer (wrong type, malformed, no IPv4 on the interface).</summary>
    DhcpIgnored,

    /// <summary>DHCPv6 message the responder does not answer.</summary>
    Dhcpv6Ignored,

    /// <summary>The underlay router's MAC is not resolved yet.</summary>
    RouterUnresolved,

    /// <summary>A route led back out of the port the packet came from (no transit / hairpin).</summary>
    Hairpin,

    /// <summary>The flow table is full.</summary>
    FlowTableFull,

    /// <summary>The frame does not fit the slot after encapsulation.</summary>
    FrameTooLong,

    /// <summary>The interface has no address of the packet's family.</summary>
    FamilyDisabled,

    /// <summary>A reply to one of our own requests (ARP reply, NA from the router) was consumed after learning from it.</summary>
    Consumed,

    /// <summary>A fragment; fragments are not handled (as in dpservice).</summary>
    Fragment,
}

/// <summary>Non-drop packet counters.</summary>
public enum PacketCounter : byte
{
    Received = 0,
    Transmitted,
    Encapsulated,
    Decapsulated,
    LocalDelivered,
    ArpReplies,
    DhcpReplies,
    NeighborAdvertisements,
    RouterAdvertisements,
    Dhcpv6Replies,
    FlowsCreated,
    FlowsExpired,
    SourceNat,
    DestinationNat,
    TransmitFailed,

    /// <summary>Packets of established flows forwarded by the fast path (each is also counted as encapsulated or delivered).</summary>
    FastPath,
}
