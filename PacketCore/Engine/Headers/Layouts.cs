namespace IronOrleans.PacketCore.Headers;

/// <summary>Ethernet II offsets (no VLAN).</summary>
internal static class EthernetLayout
{
    public const int Destination = 0;
    public const int Source = 6;
    public const int EtherType = 12;
    public const int HeaderLength = 14;

    public const ushort TypeIpv4 = 0x0800;
    public const ushort TypeArp = 0x0806;
    public const ushort TypeIpv6 = 0x86DD;
}

/// <summary>ARP for IPv4 over Ethernet (RFC 826).</summary>
internal static class ArpLayout
{
    public const int HardwareType = 0;
    public const int ProtocolType = 2;
    public const int HardwareLength = 4;
    public const int ProtocolLength = 5;
    public const int Operation = 6;
    public const int SenderHardware = 8;
    public const int SenderProtocol = 14;
    public const int TargetHardware = 18;
    public const int TargetProtocol = 24;
    public const int Length = 28;

    public const ushort OpRequest = 1;
    public const ushort OpReply = 2;
}

/// <summary>IPv4 header (RFC 791).</summary>
internal static class Ipv4Layout
{
    public const int VersionIhl = 0;
    public const int Tos = 1;
    public const int TotalLength = 2;
    public const int Identification = 4;
    public const int FlagsFragment = 6;
    public const int Ttl = 8;
    public const int Protocol = 9;
    public const int Checksum = 10;
    public const int Source = 12;
    public const int Destination = 16;
    public const int MinLength = 20;

    /// <summary>MF flag and fragment offset bits of <see cref="FlagsFragment"/>.</summary>
    public const ushort FragmentMask = 0x3FFF;
}

/// <summary>IPv6 fixed header (RFC 8200).</summary>
internal static class Ipv6Layout
{
    public const int VersionClassFlow = 0;
    public const int PayloadLength = 4;
    public const int NextHeader = 6;
    public const int HopLimit = 7;
    public const int Source = 8;
    public const int Destination = 24;
    public const int Length = 40;
}

/// <summary>IP protocol numbers used by the packet path.</summary>
internal static class IpProtocol
{
    public const byte Icmp = 1;
    public const byte IpInIp = 4;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Ipv6InIp = 41;
    public const byte Icmpv6 = 58;
}

internal static class UdpLayout
{
    public const int SourcePort = 0;
    public const int DestinationPort = 2;
    public const int Length = 4;
    public const int Checksum = 6;
    public const int HeaderLength = 8;
}

internal static class TcpLayout
{
    public const int SourcePort = 0;
    public const int DestinationPort = 2;
    public const int DataOffset = 12;
    public const int Flags = 13;
    public const int Checksum = 16;
    public const int MinLength = 20;

    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Ack = 0x10;
}

/// <summary>ICMP and ICMPv6 share type, code and checksum; echo adds identifier and sequence.</summary>
internal static class IcmpLayout
{
    public const int Type = 0;
    public const int Code = 1;
    public const int Checksum = 2;
    public const int Identifier = 4;
    public const int Sequence = 6;
    public const int HeaderLength = 8;

    public const byte EchoReply = 0;
    public const byte EchoRequest = 8;
    public const byte TimeExceeded = 11;

    public const byte V6EchoRequest = 128;
    public const byte V6EchoReply = 129;
}

/// <summary>Neighbor discovery (RFC 4861) message offsets inside ICMPv6.</summary>
internal static class NdLayout
{
    public const byte RouterSolicitation = 133;
    public const byte RouterAdvertisement = 134;
    public const byte NeighborSolicitation = 135;
    public const byte NeighborAdvertisement = 136;

    /// <summary>NS/NA: flags word (NA) or reserved (NS) at 4, target at 8, options at 24.</summary>
    public const int NaFlags = 4;
    public const int Target = 8;
    public const int NsNaOptions = 24;

    /// <summary>RS options start after 4 reserved bytes.</summary>
    public const int RsOptions = 8;

    /// <summary>RA: cur hop limit 4, flags 5, router lifetime 6, reachable 8, retrans 12, options 16.</summary>
    public const int RaCurHopLimit = 4;
    public const int RaFlags = 5;
    public const int RaRouterLifetime = 6;
    public const int RaReachable = 8;
    public const int RaRetrans = 12;
    public const int RaOptions = 16;

    public const byte OptionSourceLinkLayer = 1;
    public const byte OptionTargetLinkLayer = 2;

    public const uint NaRouter = 0x8000_0000;
    public const uint NaSolicited = 0x4000_0000;
    public const uint NaOverride = 0x2000_0000;

    public const byte RaManaged = 0x80;
    public const byte RaOther = 0x40;
}

/// <summary>BOOTP/DHCPv4 (RFC 2131/2132).</summary>
internal static class DhcpLayout
{
    public const int Op = 0;
    public const int HardwareType = 1;
    public const int HardwareLength = 2;
    public const int Hops = 3;
    public const int TransactionId = 4;
    public const int Seconds = 8;
    public const int Flags = 10;
    public const int ClientAddress = 12;
    public const int YourAddress = 16;
    public const int ServerAddress = 20;
    public const int GatewayAddress = 24;
    public const int ClientHardware = 28;
    public const int ServerName = 44;
    public const int File = 108;
    public const int FileLength = 128;
    public const int MagicCookie = 236;
    public const int Options = 240;

    public const uint Cookie = 0x63825363;
    public const ushort BroadcastFlag = 0x8000;
    public const ushort ServerPort = 67;
    public const ushort ClientPort = 68;

    public const byte OptPad = 0;
    public const byte OptSubnetMask = 1;
    public const byte OptRouter = 3;
    public const byte OptDns = 6;
    public const byte OptHostname = 12;
    public const byte OptMtu = 26;
    public const byte OptLeaseTime = 51;
    public const byte OptMessageType = 53;
    public const byte OptServerId = 54;
    public const byte OptVendorClass = 60;
    public const byte OptUserClass = 77;
    public const byte OptClasslessRoutes = 121;
    public const byte OptEnd = 255;

    public const byte Discover = 1;
    public const byte Offer = 2;
    public const byte Request = 3;
    public const byte Ack = 5;
}

/// <summary>DHCPv6 (RFC 8415).</summary>
internal static class Dhcpv6Layout
{
    public const int MessageType = 0;
    public const int TransactionId = 1;
    public const int Options = 4;

    public const ushort ServerPort = 547;
    public const ushort ClientPort = 546;

    public const byte Solicit = 1;
    public const byte Advertise = 2;
    public const byte Request = 3;
    public const byte Confirm = 4;
    public const byte Reply = 7;
    public const byte Release = 8;

    public const ushort OptClientId = 1;
    public const ushort OptServerId = 2;
    public const ushort OptIaNa = 3;
    public const ushort OptIaAddr = 5;
    public const ushort OptStatusCode = 13;
    public const ushort OptUserClass = 15;
    public const ushort OptDnsServers = 23;
    public const ushort OptBootFileUrl = 59;

    public const ushort StatusNoAddrsAvail = 2;

    /// <summary>dpservice's DUID-LL hardware type.</summary>
    public const ushort DuidHardwareType = 0xabcd;
}

/// <summary>The virtual gateway (dpservice §2.4) and other fixed addresses.</summary>
internal static class WellKnown
{
    /// <summary>169.254.0.1.</summary>
    public const uint GatewayIpv4 = 0xA9FE0001;

    /// <summary>fe80::1.</summary>
    public static readonly UInt128 GatewayIpv6 = new(0xFE80_0000_0000_0000UL, 1UL);

    /// <summary>ff02::1.</summary>
    public static readonly UInt128 AllNodes = new(0xFF02_0000_0000_0000UL, 1UL);

    public const ulong BroadcastMac = 0xFFFF_FFFF_FFFFUL;

    /// <summary>Hop limit of the outer IPv6 header (dpservice: 64).</summary>
    public const byte UnderlayHopLimit = 64;
}
