using System.Net;
using Google.Protobuf;
using Grpc.Core;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Grpc.Mapping;
using IronOrleans.PacketCore.Grpc.V1;
using Microsoft.Extensions.Logging;
using ControlPxeConfig = IronOrleans.PacketCore.Control.PxeConfig;
using ControlVniType = IronOrleans.PacketCore.Control.VniType;
using WireCreateInterfaceRequest = IronOrleans.PacketCore.Grpc.V1.CreateInterfaceRequest;
using WireMeteringParams = IronOrleans.PacketCore.Grpc.V1.MeteringParams;

namespace IronOrleans.PacketCore.Grpc.Services;

/// <summary>
/// Server side of <c>dpdkironcore.v1.DPDKironcore</c> over PacketCore's <see cref="IPacketCoreControl"/>.
/// The edge converts wire text to typed values (bad text → INVALID_ARGUMENT with dpservice's field names, nothing
/// changes), the engine decides, and its <see cref="ControlResult"/> becomes the embedded <see cref="V1.Status"/>.
/// RPCs outside PacketCore's scope are not overridden and answer UNIMPLEMENTED (after the <see cref="InitializationGate"/>).
/// </summary>
public sealed partial class DpdkIronCoreService(
    IPacketCoreControl control,
    ILogger<DpdkIronCoreService> logger) : DPDKironcore.DPDKironcoreBase
{
    //// INITIALIZATION

    public override Task<CheckInitializedResponse> CheckInitialized(CheckInitializedRequest request, ServerCallContext context)
    {
        var result = control.CheckInitialized();
        return Task.FromResult(new CheckInitializedResponse { Status = GrpcErrors.ToStatus(result.Result), Uuid = result.Value ?? "" });
    }

    public override Task<InitializeResponse> Initialize(InitializeRequest request, ServerCallContext context)
    {
        var result = control.Initialize();
        LogInitialized(logger, result.Value ?? "");
        return Task.FromResult(new InitializeResponse { Status = GrpcErrors.ToStatus(result.Result), Uuid = result.Value ?? "" });
    }

    public override Task<GetVersionResponse> GetVersion(GetVersionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireText(request.ClientProtocol, "Invalid client_protocol");
        RequireText(request.ClientName, "Invalid client_name");
        RequireText(request.ClientVersion, "Invalid client_version");
        LogVersionRequested(logger, request.ClientName, request.ClientVersion, request.ClientProtocol);
        var result = control.GetVersion();
        var response = new GetVersionResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } version)
        {
            response.ServiceProtocol = version.ServiceProtocol;
            response.ServiceVersion = version.ServiceVersion;
        }

        return Task.FromResult(response);
    }

    //// INTERFACES

    public override Task<CreateInterfaceResponse> CreateInterface(WireCreateInterfaceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!WireText.TryReadNewInterfaceId(request.InterfaceId, out var id))
        {
            throw GrpcErrors.InvalidArgument("Invalid interface_id");
        }

        var ipv4Text = request.Ipv4Config?.PrimaryAddress ?? ByteString.Empty;
        if (!WireText.TryParseIpv4(ipv4Text.Span, out var ipv4))
        {
            throw GrpcErrors.InvalidArgument("Invalid ipv4_config.primary_address");
        }

        var ipv6Text = request.Ipv6Config?.PrimaryAddress ?? ByteString.Empty;
        if (!WireText.TryParseIpv6(ipv6Text.Span, out var ipv6))
        {
            throw GrpcErrors.InvalidArgument("Invalid ipv6_config.primary_address");
        }

        if (ipv4.Equals(IPAddress.Any) && ipv6.Equals(IPAddress.IPv6Any))
        {
            throw GrpcErrors.InvalidArgument("Invalid ipv4_config.primary_address and ipv6_config.primary_address combination");
        }

        if (request.DeviceName.Length > WireText.MaxIdLength)
        {
            throw GrpcErrors.InvalidArgument("Invalid device_name");
        }

        var preferred = ReadPreferredUnderlay(request.PreferredUnderlayRoute);
        ControlPxeConfig? pxe = request.PxeConfig is { NextServer.Length: > 0 } p
            ? new ControlPxeConfig(p.NextServer, p.BootFilename)
            : null;

        var result = control.CreateInterface(new Control.CreateInterfaceRequest
        {
            InterfaceId = id,
            Vni = request.Vni,
            Ipv4 = ipv4.Equals(IPAddress.Any) ? null : ipv4,
            Ipv6 = ipv6.Equals(IPAddress.IPv6Any) ? null : ipv6,
            DeviceName = request.DeviceName,
            Pxe = pxe,
            Hostname = request.Hostname.Length == 0 ? null : request.Hostname,
            PreferredUnderlayRoute = preferred,
            Metering = request.MeteringParameters is { } m ? new Control.MeteringParams(m.TotalRate, m.PublicRate) : default,
        });
        LogControl(logger, "CreateInterface", id, result.ToString());
        var response = new CreateInterfaceResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } created)
        {
            response.UnderlayRoute = WireText.ToBytes(created.UnderlayRoute);
            response.Vf = new VirtualFunction { Name = created.VfName };
        }

        return Task.FromResult(response);
    }

    public override Task<GetInterfaceResponse> GetInterface(GetInterfaceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = control.GetInterface(ReadInterfaceId(request.InterfaceId));
        var response = new GetInterfaceResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } info)
        {
            response.Interface = ToWire(info);
        }

        return Task.FromResult(response);
    }

    public override Task<ListInterfacesResponse> ListInterfaces(ListInterfacesRequest request, ServerCallContext context)
    {
        var result = control.ListInterfaces();
        var response = new ListInterfacesResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } list)
        {
            foreach (var info in list)
            {
                response.Interfaces.Add(ToWire(info));
            }
        }

        return Task.FromResult(response);
    }

    public override Task<DeleteInterfaceResponse> DeleteInterface(DeleteInterfaceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = ReadInterfaceId(request.InterfaceId);
        var result = control.DeleteInterface(id);
        LogControl(logger, "DeleteInterface", id, result.ToString());
        return Task.FromResult(new DeleteInterfaceResponse { Status = GrpcErrors.ToStatus(result) });
    }

    //// ALIAS PREFIXES

    public override Task<CreatePrefixResponse> CreatePrefix(CreatePrefixRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = ReadInterfaceId(request.InterfaceId);
        var prefix = ReadPrefix(request.Prefix, "prefix");
        var preferred = ReadPreferredUnderlay(request.PreferredUnderlayRoute);
        var result = control.CreatePrefix(id, prefix, preferred);
        LogControl(logger, "CreatePrefix", id, result.ToString());
        var response = new CreatePrefixResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } underlay)
        {
            response.UnderlayRoute = WireText.ToBytes(underlay);
        }

        return Task.FromResult(response);
    }

    public override Task<ListPrefixesResponse> ListPrefixes(ListPrefixesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = control.ListPrefixes(ReadInterfaceId(request.InterfaceId));
        var response = new ListPrefixesResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } list)
        {
            foreach (var info in list)
            {
                var wire = ToWire(info.Prefix);
                wire.UnderlayRoute = WireText.ToBytes(info.UnderlayRoute);
                response.Prefixes.Add(wire);
            }
        }

        return Task.FromResult(response);
    }

    public override Task<DeletePrefixResponse> DeletePrefix(DeletePrefixRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = ReadInterfaceId(request.InterfaceId);
        var prefix = ReadPrefix(request.Prefix, "prefix");
        var result = control.DeletePrefix(id, prefix);
        LogControl(logger, "DeletePrefix", id, result.ToString());
        return Task.FromResult(new DeletePrefixResponse { Status = GrpcErrors.ToStatus(result) });
    }

    //// ROUTES

    public override Task<CreateRouteResponse> CreateRoute(CreateRouteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prefix = ReadPrefix(request.Route?.Prefix, "route.prefix");
        if (!WireText.TryParse(request.Route?.NexthopAddress, out var nextHop))
        {
            throw GrpcErrors.InvalidArgument("Invalid route.nexthop_address");
        }

        var result = control.CreateRoute(request.Vni, prefix, request.Route!.NexthopVni, nextHop);
        LogRoute(logger, "CreateRoute", request.Vni, prefix.ToString(), result.ToString());
        return Task.FromResult(new CreateRouteResponse { Status = GrpcErrors.ToStatus(result) });
    }

    public override Task<DeleteRouteResponse> DeleteRoute(DeleteRouteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prefix = ReadPrefix(request.Route?.Prefix, "route.prefix");
        var result = control.DeleteRoute(request.Vni, prefix);
        LogRoute(logger, "DeleteRoute", request.Vni, prefix.ToString(), result.ToString());
        return Task.FromResult(new DeleteRouteResponse { Status = GrpcErrors.ToStatus(result) });
    }

    public override Task<ListRoutesResponse> ListRoutes(ListRoutesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = control.ListRoutes(request.Vni);
        var response = new ListRoutesResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } list)
        {
            foreach (var route in list)
            {
                response.Routes.Add(new Route
                {
                    Prefix = ToWire(route.Prefix),
                    NexthopVni = route.NextHopVni,
                    NexthopAddress = WireText.ToIpAddress(route.NextHopAddress),
                });
            }
        }

        return Task.FromResult(response);
    }

    //// VNI

    public override Task<CheckVniInUseResponse> CheckVniInUse(CheckVniInUseRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = control.CheckVniInUse(request.Vni, (ControlVniType)(int)request.Type);
        return Task.FromResult(new CheckVniInUseResponse { Status = GrpcErrors.ToStatus(result.Result), InUse = result.Value });
    }

    public override Task<ResetVniResponse> ResetVni(ResetVniRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = control.ResetVni(request.Vni, (ControlVniType)(int)request.Type);
        LogRoute(logger, "ResetVni", request.Vni, "", result.ToString());
        return Task.FromResult(new ResetVniResponse { Status = GrpcErrors.ToStatus(result) });
    }

    //// VIRTUAL IPS

    public override Task<CreateVipResponse> CreateVip(CreateVipRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = ReadInterfaceId(request.InterfaceId);
        if (!WireText.TryParse(request.VipIp, out var vip))
        {
            throw GrpcErrors.InvalidArgument("Invalid vip_ip");
        }

        var preferred = ReadPreferredUnderlay(request.PreferredUnderlayRoute);
        var result = control.CreateVip(id, vip, preferred);
        LogControl(logger, "CreateVip", id, result.ToString());
        var response = new CreateVipResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } underlay)
        {
            response.UnderlayRoute = WireText.ToBytes(underlay);
        }

        return Task.FromResult(response);
    }

    public override Task<GetVipResponse> GetVip(GetVipRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = control.GetVip(ReadInterfaceId(request.InterfaceId));
        var response = new GetVipResponse { Status = GrpcErrors.ToStatus(result.Result) };
        if (result.Value is { } vip)
        {
            response.VipIp = WireText.ToIpAddress(vip.VipAddress);
            response.UnderlayRoute = WireText.ToBytes(vip.UnderlayRoute);
        }

        return Task.FromResult(response);
    }

    public override Task<DeleteVipResponse> DeleteVip(DeleteVipRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = ReadInterfaceId(request.InterfaceId);
        var result = control.DeleteVip(id);
        LogControl(logger, "DeleteVip", id, result.ToString());
        return Task.FromResult(new DeleteVipResponse { Status = GrpcErrors.ToStatus(result) });
    }

    //// CONVERSIONS

    private static void RequireText(string value, string error)
    {
        if (string.IsNullOrEmpty(value) || value.Length > WireText.MaxIdLength)
        {
            throw GrpcErrors.InvalidArgument(error);
        }
    }

    private static string ReadInterfaceId(ByteString value) =>
        WireText.TryReadId(value, out var id) ? id : throw GrpcErrors.InvalidArgument("Invalid interface_id");

    private static IPAddress? ReadPreferredUnderlay(ByteString value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        return WireText.TryParseIpv6(value.Span, out var address)
            ? address
            : throw GrpcErrors.InvalidArgument("Invalid preferred_underlay_route");
    }

    private static IpPrefix ReadPrefix(V1.Prefix? prefix, string field)
    {
        if (prefix is null || !WireText.TryParse(prefix.Ip, out var address))
        {
            throw GrpcErrors.InvalidArgument($"Invalid {field}.ip");
        }

        var max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32u : 128u;
        if (prefix.Length > max)
        {
            throw GrpcErrors.InvalidArgument($"Invalid {field}.length");
        }

        return new IpPrefix(address, (int)prefix.Length);
    }

    private static V1.Prefix ToWire(IpPrefix prefix) => new()
    {
        Ip = WireText.ToIpAddress(prefix.Address),
        Length = (uint)prefix.Length,
    };

    private static Interface ToWire(InterfaceInfo info) => new()
    {
        Id = WireText.ToBytes(info.Id),
        Vni = info.Vni,
        PrimaryIpv4 = WireText.ToBytes(info.PrimaryIpv4),
        PrimaryIpv6 = WireText.ToBytes(info.PrimaryIpv6),
        UnderlayRoute = WireText.ToBytes(info.UnderlayRoute),
        PciName = info.PciName,
        MeteringParams = new WireMeteringParams { TotalRate = info.Metering.TotalRate, PublicRate = info.Metering.PublicRate },
        Hostname = info.Hostname,
    };
}
