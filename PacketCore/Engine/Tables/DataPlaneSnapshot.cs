namespace IronOrleans.PacketCore.Tables;

/// <summary>Kind of an underlay address owner (dpservice's VNF types).</summary>
internal enum VnfType : byte
{
    None = 0,
    InterfaceIp = 1,
    Vip = 2,
    Nat = 3,
    Lb = 4,
    LbAliasPrefix = 5,
    AliasPrefix = 6,
}

/// <summary>One underlay /128 of this host: the only tenant identification on ingress from the uplink.</summary>
internal readonly record struct VnfEntry(VnfType Type, uint Vni, ushort PortIndex, bool PrefixIsIpv6, byte PrefixLength, UInt128 Prefix);

/// <summary>The route tables of one VNI.</summary>
internal sealed class VniTables(uint vni, Lpm4 routes4, Lpm6 routes6)
{
    public uint Vni { get; } = vni;

    public Lpm4 Routes4 { get; } = routes4;

    public Lpm6 Routes6 { get; } = routes6;
}

/// <summary>The interface bound to a VM port, as the packet path and the responders read it.</summary>
internal sealed class InterfaceEntry
{
    public required uint Vni { get; init; }

    public required int VniIndex { get; init; }

    /// <summary>0 = no IPv4.</summary>
    public required uint Ipv4 { get; init; }

    /// <summary>0 = no IPv6.</summary>
    public required UInt128 Ipv6 { get; init; }

    public required UInt128 Underlay { get; init; }

    /// <summary>0 = no VIP.</summary>
    public uint Vip { get; init; }

    public UInt128 VipUnderlay { get; init; }

    /// <summary>Bumped whenever the NAT configuration of this interface changes, so cached flow decisions are re-made.</summary>
    public long NatEpoch { get; init; }

    /// <summary>ASCII hostname for DHCP option 12; empty = none.</summary>
    public byte[] Hostname { get; init; } = [];

    public bool HasPxe { get; init; }

    /// <summary>PXE next server as text (for the iPXE URL), ASCII.</summary>
    public byte[] PxeNextServerText { get; init; } = [];

    public uint PxeNextServer4 { get; init; }

    public bool PxeNextServerIsIpv6 { get; init; }

    public byte[] PxeBootFile { get; init; } = [];
}

/// <summary>
/// Everything the packet path reads, immutable. The control side builds a new one per change and publishes it
/// through one volatile reference; workers pick it up at the start of each burst.
/// </summary>
internal sealed class DataPlaneSnapshot
{
    public static DataPlaneSnapshot Empty(int portCount) => new()
    {
        Version = 0,
        InterfaceByPort = new InterfaceEntry?[portCount],
        Vnis = [],
        VniIndex = UInt64Map<int>.Empty,
        Vnfs = UInt128Map<VnfEntry>.Empty,
    };

    public required long Version { get; init; }

    /// <summary>Indexed by port index; index 0 is the uplink and never has an interface.</summary>
    public required InterfaceEntry?[] InterfaceByPort { get; init; }

    public required VniTables[] Vnis { get; init; }

    /// <summary>VNI → index into <see cref="Vnis"/>.</summary>
    public required UInt64Map<int> VniIndex { get; init; }

    /// <summary>Underlay /128 → owner.</summary>
    public required UInt128Map<VnfEntry> Vnfs { get; init; }
}
