using System.Net;

namespace IronOrleans.PacketCore.Control;

/// <summary>dpservice's <c>VniType</c>: which address families a VNI operation means.</summary>
public enum VniType
{
    Ipv4 = 0,
    Ipv6 = 1,
    Both = 2,
}

/// <summary>Answer of <see cref="IPacketCoreControl.GetVersion"/>; dpservice returns the build version for both.</summary>
public sealed record VersionInfo(string ServiceProtocol, string ServiceVersion);

/// <summary>PXE boot settings of an interface (<c>PxeConfig</c>); <see cref="BootFileName"/> is at most 31 characters.</summary>
public sealed record PxeConfig(string NextServer, string BootFileName);

/// <summary>Rates in Mbit/s (<c>MeteringParams</c>); stored and returned only (dpservice enforces them on Mellanox only).</summary>
public readonly record struct MeteringParams(ulong TotalRate, ulong PublicRate);

/// <summary>
/// <c>CreateInterfaceRequest</c>. A null or unspecified address (<c>0.0.0.0</c>, <c>::</c>) disables that family;
/// both disabled is rejected. <see cref="DeviceName"/> names a configured VM port (dpservice's DPDK port name);
/// empty picks the first free VM port (a PacketCore convenience, dpservice requires a name).
/// </summary>
public sealed record CreateInterfaceRequest
{
    public required string InterfaceId { get; init; }

    public uint Vni { get; init; }

    public IPAddress? Ipv4 { get; init; }

    public IPAddress? Ipv6 { get; init; }

    public string DeviceName { get; init; } = "";

    public PxeConfig? Pxe { get; init; }

    public string? Hostname { get; init; }

    /// <summary>Empty = generate. Otherwise the host's /64 with flag 0x80 in byte 10 (dpservice §1.2).</summary>
    public IPAddress? PreferredUnderlayRoute { get; init; }

    public MeteringParams Metering { get; init; }
}

/// <summary>
/// <c>CreateInterfaceResponse</c>: the interface's underlay /128 and its port. <see cref="VfName"/> is the Linux netdev
/// name (the TAP name; dpservice's <c>vf.name</c>), <see cref="PciName"/> the device name it was created on.
/// </summary>
public sealed record InterfaceCreated(IPAddress UnderlayRoute, string VfName, string PciName);

/// <summary>dpservice's <c>Interface</c> message; disabled families are <c>0.0.0.0</c> / <c>::</c>.</summary>
public sealed record InterfaceInfo
{
    public required string Id { get; init; }

    public required uint Vni { get; init; }

    public required IPAddress PrimaryIpv4 { get; init; }

    public required IPAddress PrimaryIpv6 { get; init; }

    public required IPAddress UnderlayRoute { get; init; }

    /// <summary>The device name given at creation (dpservice returns it as <c>pci_name</c>).</summary>
    public required string PciName { get; init; }

    /// <summary>The Linux netdev (TAP) name of the port.</summary>
    public required string VfName { get; init; }

    public string Hostname { get; init; } = "";

    public PxeConfig? Pxe { get; init; }

    public MeteringParams Metering { get; init; }
}

/// <summary>An alias prefix of an interface with its own underlay address (<c>Prefix</c> with <c>underlay_route</c>).</summary>
public sealed record PrefixInfo(IpPrefix Prefix, IPAddress UnderlayRoute);

/// <summary>
/// A route of a VNI (<c>Route</c>): traffic to <see cref="Prefix"/> in <see cref="Vni"/> is encapsulated toward
/// <see cref="NextHopAddress"/> (an underlay IPv6). <see cref="NextHopVni"/> is stored, not sent on the wire.
/// </summary>
public sealed record RouteInfo(uint Vni, IpPrefix Prefix, uint NextHopVni, IPAddress NextHopAddress);

/// <summary>The VIP of an interface (<c>GetVipResponse</c>).</summary>
public sealed record VipInfo(IPAddress VipAddress, IPAddress UnderlayRoute);
