using System.Net;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.NodeAgent.DataPlane;

/// <summary>
/// One node's PacketCore (or dpservice), in PacketCore's control vocabulary: in-process
/// (<see cref="InProcessDataPlane"/>) or over dpservice's gRPC contract (<see cref="GrpcDataPlane"/>).
/// Refusals are values (<see cref="ControlResult"/> with dpservice's error numbers), transport failures throw.
/// </summary>
public interface IDataPlane
{
    /// <summary>Where it is (for logs).</summary>
    string Describe { get; }

    Task<ControlResult<string>> CheckInitializedAsync(CancellationToken cancellationToken = default);

    Task<ControlResult<string>> InitializeAsync(CancellationToken cancellationToken = default);

    Task<ControlResult<InterfaceCreated>> CreateInterfaceAsync(CreateInterfaceRequest request, CancellationToken cancellationToken = default);

    Task<ControlResult<InterfaceInfo>> GetInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default);

    Task<ControlResult<IReadOnlyList<InterfaceInfo>>> ListInterfacesAsync(CancellationToken cancellationToken = default);

    Task<ControlResult> DeleteInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default);

    Task<ControlResult<IPAddress>> CreatePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default);

    Task<ControlResult<IReadOnlyList<PrefixInfo>>> ListPrefixesAsync(string interfaceId, CancellationToken cancellationToken = default);

    Task<ControlResult> DeletePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default);

    Task<ControlResult> CreateRouteAsync(uint vni, IpPrefix prefix, uint nextHopVni, IPAddress nextHop, CancellationToken cancellationToken = default);

    Task<ControlResult> DeleteRouteAsync(uint vni, IpPrefix prefix, CancellationToken cancellationToken = default);

    Task<ControlResult<IReadOnlyList<RouteInfo>>> ListRoutesAsync(uint vni, CancellationToken cancellationToken = default);

    Task<ControlResult<IPAddress>> CreateVipAsync(string interfaceId, IPAddress vip, CancellationToken cancellationToken = default);

    Task<ControlResult<VipInfo>> GetVipAsync(string interfaceId, CancellationToken cancellationToken = default);

    Task<ControlResult> DeleteVipAsync(string interfaceId, CancellationToken cancellationToken = default);
}

/// <summary>PacketCore hosted in this process: the control API called directly.</summary>
public sealed class InProcessDataPlane(IPacketCoreControl control, string name) : IDataPlane
{
    public string Describe => $"in-process PacketCore '{name}'";

    public Task<ControlResult<string>> CheckInitializedAsync(CancellationToken cancellationToken = default) => Task.FromResult(control.CheckInitialized());

    public Task<ControlResult<string>> InitializeAsync(CancellationToken cancellationToken = default) => Task.FromResult(control.Initialize());

    public Task<ControlResult<InterfaceCreated>> CreateInterfaceAsync(CreateInterfaceRequest request, CancellationToken cancellationToken = default)
        => Task.FromResult(control.CreateInterface(request));

    public Task<ControlResult<InterfaceInfo>> GetInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default)
        => Task.FromResult(control.GetInterface(interfaceId));

    public Task<ControlResult<IReadOnlyList<InterfaceInfo>>> ListInterfacesAsync(CancellationToken cancellationToken = default)
        => Task.FromResult(control.ListInterfaces());

    public Task<ControlResult> DeleteInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default)
        => Task.FromResult(control.DeleteInterface(interfaceId));

    public Task<ControlResult<IPAddress>> CreatePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default)
        => Task.FromResult(control.CreatePrefix(interfaceId, prefix));

    public Task<ControlResult<IReadOnlyList<PrefixInfo>>> ListPrefixesAsync(string interfaceId, CancellationToken cancellationToken = default)
        => Task.FromResult(control.ListPrefixes(interfaceId));

    public Task<ControlResult> DeletePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default)
        => Task.FromResult(control.DeletePrefix(interfaceId, prefix));

    public Task<ControlResult> CreateRouteAsync(uint vni, IpPrefix prefix, uint nextHopVni, IPAddress nextHop, CancellationToken cancellationToken = default)
        => Task.FromResult(control.CreateRoute(vni, prefix, nextHopVni, nextHop));

    public Task<ControlResult> DeleteRouteAsync(uint vni, IpPrefix prefix, CancellationToken cancellationToken = default)
        => Task.FromResult(control.DeleteRoute(vni, prefix));

    public Task<ControlResult<IReadOnlyList<RouteInfo>>> ListRoutesAsync(uint vni, CancellationToken cancellationToken = default)
        => Task.FromResult(control.ListRoutes(vni));

    public Task<ControlResult<IPAddress>> CreateVipAsync(string interfaceId, IPAddress vip, CancellationToken cancellationToken = default)
        => Task.FromResult(control.CreateVip(interfaceId, vip));

    public Task<ControlResult<VipInfo>> GetVipAsync(string interfaceId, CancellationToken cancellationToken = default)
        => Task.FromResult(control.GetVip(interfaceId));

    public Task<ControlResult> DeleteVipAsync(string interfaceId, CancellationToken cancellationToken = default)
        => Task.FromResult(control.DeleteVip(interfaceId));
}
