using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using IronOrleans.PacketCore.Control;
using V1 = IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.NodeAgent.DataPlane;

/// <summary>
/// A standalone PacketCore daemon (or a real dpservice) over dpservice's gRPC contract. Addresses travel
/// as text in <c>bytes</c> fields, and <c>Status.code</c> carries dpservice's error numbers.
/// </summary>
public sealed class GrpcDataPlane : IDataPlane, IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly GrpcChannel _channel;
    private readonly V1.DPDKironcore.DPDKironcoreClient _client;

    public GrpcDataPlane(Uri address)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address);
        _client = new V1.DPDKironcore.DPDKironcoreClient(_channel);
    }

    public Uri Address { get; }

    public string Describe => $"PacketCore at {Address}";

    public void Dispose() => _channel.Dispose();

    public Task<ControlResult<string>> CheckInitializedAsync(CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.CheckInitializedAsync(new V1.CheckInitializedRequest(), o)) is var r
            ? (r.Status, r.Uuid) : default, cancellationToken);

    public Task<ControlResult<string>> InitializeAsync(CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.InitializeAsync(new V1.InitializeRequest(), o)) is var r
            ? (r.Status, r.Uuid) : default, cancellationToken);

    public Task<ControlResult<InterfaceCreated>> CreateInterfaceAsync(CreateInterfaceRequest request, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.CreateInterfaceAsync(new V1.CreateInterfaceRequest
            {
                InterfaceType = V1.InterfaceType.Virtual,
                InterfaceId = Text(request.InterfaceId),
                Vni = request.Vni,
                Ipv4Config = new V1.IpConfig { PrimaryAddress = Text((request.Ipv4 ?? IPAddress.Any).ToString()) },
                Ipv6Config = new V1.IpConfig { PrimaryAddress = Text((request.Ipv6 ?? IPAddress.IPv6Any).ToString()) },
                DeviceName = request.DeviceName,
                Hostname = request.Hostname ?? "",
            }, o);
            return (r.Status, r.Status.Code == 0 ? new InterfaceCreated(Ip(r.UnderlayRoute), r.Vf?.Name ?? "", request.DeviceName) : null);
        }, cancellationToken);

    public Task<ControlResult<InterfaceInfo>> GetInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.GetInterfaceAsync(new V1.GetInterfaceRequest { InterfaceId = Text(interfaceId) }, o);
            return (r.Status, r.Status.Code == 0 && r.Interface is not null ? Map(r.Interface) : null);
        }, cancellationToken);

    public Task<ControlResult<IReadOnlyList<InterfaceInfo>>> ListInterfacesAsync(CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.ListInterfacesAsync(new V1.ListInterfacesRequest(), o);
            return (r.Status, (IReadOnlyList<InterfaceInfo>?)r.Interfaces.Select(Map).ToList());
        }, cancellationToken);

    public Task<ControlResult> DeleteInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.DeleteInterfaceAsync(new V1.DeleteInterfaceRequest { InterfaceId = Text(interfaceId) }, o)).Status, cancellationToken);

    public Task<ControlResult<IPAddress>> CreatePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.CreatePrefixAsync(new V1.CreatePrefixRequest { InterfaceId = Text(interfaceId), Prefix = Prefix(prefix) }, o);
            return (r.Status, r.Status.Code == 0 ? Ip(r.UnderlayRoute) : null);
        }, cancellationToken);

    public Task<ControlResult<IReadOnlyList<PrefixInfo>>> ListPrefixesAsync(string interfaceId, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.ListPrefixesAsync(new V1.ListPrefixesRequest { InterfaceId = Text(interfaceId) }, o);
            return (r.Status, (IReadOnlyList<PrefixInfo>?)r.Prefixes.Select(p => new PrefixInfo(
                new IpPrefix(Ip(p.Ip.Address), (int)p.Length), Ip(p.UnderlayRoute))).ToList());
        }, cancellationToken);

    public Task<ControlResult> DeletePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.DeletePrefixAsync(new V1.DeletePrefixRequest { InterfaceId = Text(interfaceId), Prefix = Prefix(prefix) }, o)).Status, cancellationToken);

    public Task<ControlResult> CreateRouteAsync(uint vni, IpPrefix prefix, uint nextHopVni, IPAddress nextHop, CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.CreateRouteAsync(new V1.CreateRouteRequest
        {
            Vni = vni,
            Route = new V1.Route { Prefix = Prefix(prefix), NexthopVni = nextHopVni, NexthopAddress = IpOf(nextHop) },
        }, o)).Status, cancellationToken);

    public Task<ControlResult> DeleteRouteAsync(uint vni, IpPrefix prefix, CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.DeleteRouteAsync(new V1.DeleteRouteRequest
        {
            Vni = vni,
            Route = new V1.Route { Prefix = Prefix(prefix) },
        }, o)).Status, cancellationToken);

    public Task<ControlResult<IReadOnlyList<RouteInfo>>> ListRoutesAsync(uint vni, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.ListRoutesAsync(new V1.ListRoutesRequest { Vni = vni }, o);
            return (r.Status, (IReadOnlyList<RouteInfo>?)r.Routes.Select(route => new RouteInfo(
                vni,
                new IpPrefix(Ip(route.Prefix.Ip.Address), (int)route.Prefix.Length),
                route.NexthopVni,
                Ip(route.NexthopAddress.Address))).ToList());
        }, cancellationToken);

    public Task<ControlResult<IPAddress>> CreateVipAsync(string interfaceId, IPAddress vip, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.CreateVipAsync(new V1.CreateVipRequest { InterfaceId = Text(interfaceId), VipIp = IpOf(vip) }, o);
            return (r.Status, r.Status.Code == 0 ? Ip(r.UnderlayRoute) : null);
        }, cancellationToken);

    public Task<ControlResult<VipInfo>> GetVipAsync(string interfaceId, CancellationToken cancellationToken = default)
        => CallAsync(async o =>
        {
            var r = await _client.GetVipAsync(new V1.GetVipRequest { InterfaceId = Text(interfaceId) }, o);
            return (r.Status, r.Status.Code == 0 ? new VipInfo(Ip(r.VipIp.Address), Ip(r.UnderlayRoute)) : null);
        }, cancellationToken);

    public Task<ControlResult> DeleteVipAsync(string interfaceId, CancellationToken cancellationToken = default)
        => CallAsync(async o => (await _client.DeleteVipAsync(new V1.DeleteVipRequest { InterfaceId = Text(interfaceId) }, o)).Status, cancellationToken);

    private static InterfaceInfo Map(V1.Interface i) => new()
    {
        Id = i.Id.ToStringUtf8(),
        Vni = i.Vni,
        PrimaryIpv4 = Ip(i.PrimaryIpv4),
        PrimaryIpv6 = Ip(i.PrimaryIpv6),
        UnderlayRoute = Ip(i.UnderlayRoute),
        PciName = i.PciName,
        VfName = i.PciName,
        Hostname = i.Hostname,
    };

    private static ByteString Text(string value) => ByteString.CopyFrom(value, Encoding.UTF8);

    private static IPAddress Ip(ByteString text) => IPAddress.TryParse(text.ToStringUtf8(), out var ip) ? ip : IPAddress.None;

    private static V1.IpAddress IpOf(IPAddress ip) => new()
    {
        Ipver = ip.AddressFamily == AddressFamily.InterNetwork ? V1.IpVersion.Ipv4 : V1.IpVersion.Ipv6,
        Address = Text(ip.ToString()),
    };

        private static V1.Prefix Prefix(IpPrefix prefix) => new() { Ip = IpOf(prefix.Address), Length = (uint)prefix.Length };

    private static async Task<ControlResult> CallAsync(Func<CallOptions, Task<V1.Status>> call, CancellationToken cancellationToken)
        => (await CallAsync<object>(async o => (await call(o), null), cancellationToken)).Result;

    private static async Task<ControlResult<T>> CallAsync<T>(Func<CallOptions, Task<(V1.Status Status, T? Value)>> call, CancellationToken cancellationToken)
    {
        try
        {
            var (status, value) = await call(new CallOptions(deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken));
            return status is null || status.Code == 0
                ? ControlResult.Success(value!)
                : ControlResult.Fail((DpError)status.Code);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && ex.Status.Detail == ControlResult.NotInitializedMessage)
        {
            return ControlResult.NotInitialized;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            return ControlResult.Invalid(ex.Status.Detail);
        }
    }
}
