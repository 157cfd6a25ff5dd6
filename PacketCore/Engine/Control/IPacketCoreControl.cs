using System.Net;

namespace IronOrleans.PacketCore.Control;

/// <summary>
/// The in-process control surface of PacketCore: the operations of dpservice's <c>dpdkironcore.v1.DPDKironcore</c> service
/// that IronOrleans uses, with the same semantics and error codes (reference/dpservice.md §1.5–1.7).
/// </summary>
/// <remarks>
/// Thread-safe: call from any thread. Every call returns a value (<see cref="ControlResult"/>), never throws for a
/// refused request. Until <see cref="Initialize"/> has run once, every other operation returns
/// <see cref="ControlStatus.NotInitialized"/> (dpservice's gRPC <c>ABORTED "not initialized"</c>). A change is visible to the
/// packet path from its next burst (the tables are immutable snapshots swapped through one volatile reference).
/// </remarks>
public interface IPacketCoreControl
{
    /// <summary>True once <see cref="Initialize"/> has been called in this engine instance.</summary>
    bool IsInitialized { get; }

    /// <summary>The engine's uuid (upper case, new per engine start) if initialized.</summary>
    ControlResult<string> CheckInitialized();

    /// <summary>
    /// Marks the engine initialized and returns its uuid. A repeated call is accepted; like dpservice it rebuilds every
    /// VNI's routes so that only the interfaces' own host routes (and, deliberately unlike dpservice, alias-prefix routes)
    /// remain: configured routes are lost. Interfaces and VIPs stay.
    /// </summary>
    ControlResult<string> Initialize();

    ControlResult<VersionInfo> GetVersion();

    ControlResult<InterfaceCreated> CreateInterface(CreateInterfaceRequest request);

    ControlResult<InterfaceInfo> GetInterface(string interfaceId);

    /// <summary>All interfaces, ordered by id.</summary>
    ControlResult<IReadOnlyList<InterfaceInfo>> ListInterfaces();

    /// <summary>Removes the interface, its host routes and its flows; like dpservice it does not cascade to VIP or prefixes.</summary>
    ControlResult DeleteInterface(string interfaceId);

    /// <summary>Adds an alias prefix routed to the interface, with its own underlay address (returned).</summary>
    ControlResult<IPAddress> CreatePrefix(string interfaceId, IpPrefix prefix, IPAddress? preferredUnderlayRoute = null);

    ControlResult<IReadOnlyList<PrefixInfo>> ListPrefixes(string interfaceId);

    ControlResult DeletePrefix(string interfaceId, IpPrefix prefix);

    /// <summary>Adds an external route in <paramref name="vni"/> (the VNI must be in use; the next hop must be IPv6).</summary>
    ControlResult CreateRoute(uint vni, IpPrefix prefix, uint nextHopVni, IPAddress nextHopAddress);

    /// <summary>Removes an external route (only the prefix is used).</summary>
    ControlResult DeleteRoute(uint vni, IpPrefix prefix);

    /// <summary>Routes of <paramref name="vni"/> (0 = all VNIs), in RIB order: IPv4 then IPv6, sorted by prefix.</summary>
    ControlResult<IReadOnlyList<RouteInfo>> ListRoutes(uint vni);

    /// <summary>Only <see cref="VniType.Ipv4"/> or <see cref="VniType.Ipv6"/> (<see cref="VniType.Both"/> = 203).</summary>
    ControlResult<bool> CheckVniInUse(uint vni, VniType type);

    /// <summary>Only <see cref="VniType.Both"/> (others = 203); an unknown VNI is a silent success.</summary>
    ControlResult ResetVni(uint vni, VniType type);

    /// <summary>1:1 NAT of the interface to <paramref name="vip"/> (IPv4 only); returns the VIP's underlay address.</summary>
    ControlResult<IPAddress> CreateVip(string interfaceId, IPAddress vip, IPAddress? preferredUnderlayRoute = null);

    ControlResult<VipInfo> GetVip(string interfaceId);

    ControlResult DeleteVip(string interfaceId);
}
