using System.Net;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.PacketCore.Tests;

public sealed class ControlApiTests
{
    private static CreateInterfaceRequest Request(string id, uint vni = 100, string? v4 = "10.0.0.1", string? v6 = "2001:db8::1", string device = "net_tap1") => new()
    {
        InterfaceId = id,
        Vni = vni,
        Ipv4 = v4 is null ? null : IPAddress.Parse(v4),
        Ipv6 = v6 is null ? null : IPAddress.Parse(v6),
        DeviceName = device,
    };

    [Fact]
    public void BeforeInitialize_EveryOperationIsGated()
    {
        using var t = new TestEngine(initialize: false);
        Assert.False(t.Control.IsInitialized);
        Assert.Equal(ControlStatus.NotInitialized, t.Control.CheckInitialized().Status);
        Assert.Equal(ControlStatus.NotInitialized, t.Control.GetVersion().Status);
        Assert.Equal(ControlStatus.NotInitialized, t.Control.CreateInterface(Request("a")).Status);
        Assert.Equal(ControlStatus.NotInitialized, t.Control.ListRoutes(0).Status);
        Assert.Equal("not initialized", t.Control.ListInterfaces().Message);
    }

    [Fact]
    public void Initialize_ReturnsTheEngineUuid_AndCheckInitializedRepeatsIt()
    {
        using var t = new TestEngine(initialize: false);
        var init = t.Control.Initialize();
        Assert.True(init.IsOk);
        Assert.True(Guid.TryParse(init.Value, out _));
        Assert.Equal(init.Value!.ToUpperInvariant(), init.Value);
        Assert.Equal(init.Value, t.Control.CheckInitialized().Value);
        Assert.Equal(init.Value, t.Control.Initialize().Value);
        using var other = new TestEngine(initialize: false);
        Assert.NotEqual(init.Value, other.Control.Initialize().Value);
    }

    [Fact]
    public void CreateInterface_ReturnsUnderlayFromHostPrefix_AndPort()
    {
        using var t = new TestEngine();
        var created = t.Control.CreateInterface(Request("vm-a"));
        Assert.True(created.IsOk);
        var bytes = created.Value!.UnderlayRoute.GetAddressBytes();
        Assert.Equal(IPAddress.Parse("fc00:1::").GetAddressBytes()[..8], bytes[..8]);
        Assert.Equal(0xd0, bytes[8]);
        Assert.Equal(0, bytes[10] & 0x80);
        Assert.Equal("vm1", created.Value.VfName);
        Assert.Equal("net_tap1", created.Value.PciName);

        var info = t.Control.GetInterface("vm-a").Value!;
        Assert.Equal(100u, info.Vni);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), info.PrimaryIpv4);
        Assert.Equal(created.Value.UnderlayRoute, info.UnderlayRoute);
        Assert.Equal("net_tap1", info.PciName);
        Assert.True(t.Control.CheckVniInUse(100, VniType.Ipv4).Value);
    }

    [Fact]
    public void CreateInterface_ErrorsUseDpserviceCodes()
    {
        using var t = new TestEngine();
        Assert.True(t.Control.CreateInterface(Request("vm-a")).IsOk);
        Assert.Equal(DpError.AlreadyExists, t.Control.CreateInterface(Request("vm-b")).Error);
        Assert.Equal(DpError.NotFound, t.Control.CreateInterface(Request("vm-b", device: "nope")).Error);
        Assert.Equal(DpError.VmHandle, t.Control.CreateInterface(Request("vm-a", device: "net_tap2")).Error);
        Assert.Equal(402u, (uint)DpError.VmHandle);
        Assert.Equal(DpError.RouteExists, t.Control.CreateInterface(Request("vm-c", device: "net_tap2")).Error);
        var invalid = t.Control.CreateInterface(Request("vm-d", v4: null, v6: null, device: "net_tap2"));
        Assert.Equal(ControlStatus.InvalidArgument, invalid.Status);
        Assert.Equal("Invalid ipv4_config.primary_address and ipv6_config.primary_address combination", invalid.Message);
        Assert.Equal(ControlStatus.InvalidArgument, t.Control.CreateInterface(Request("bad id!")).Status);
        Assert.Equal(ControlStatus.InvalidArgument, t.Control.CreateInterface(Request("vm-e", vni: 0x1000000, device: "net_tap2")).Status);
        Assert.Equal(DpError.NotFound, t.Control.GetInterface("missing").Error);
        Assert.Equal(DpError.NotFound, t.Control.DeleteInterface("missing").Error);
        Assert.Equal("NOT_FOUND", t.Control.DeleteInterface("missing").Message);
    }

    [Fact]
    public void PreferredUnderlay_MustBeInHostPrefixWithFlag_AndUnique()
    {
        using var t = new TestEngine();
        var wrongPrefix = Request("a") with { PreferredUnderlayRoute = IPAddress.Parse("fc00:2::8000:0:1") };
        Assert.Equal(ControlStatus.InvalidArgument, t.Control.CreateInterface(wrongPrefix).Status);
        var noFlag = Request("a") with { PreferredUnderlayRoute = IPAddress.Parse("fc00:1::d000:0:0:1") };
        Assert.Equal("Invalid preferred_underlay_route", t.Control.CreateInterface(noFlag).Message);
        var good = Request("a") with { PreferredUnderlayRoute = IPAddress.Parse("fc00:1::8000:0:1") };
        Assert.Equal(IPAddress.Parse("fc00:1::8000:0:1"), t.Control.CreateInterface(good).Value!.UnderlayRoute);
        var collision = Request("b", v4: "10.0.0.2", v6: null, device: "net_tap2") with { PreferredUnderlayRoute = IPAddress.Parse("fc00:1::8000:0:1") };
        Assert.Equal(DpError.VnfInsert, t.Control.CreateInterface(collision).Error);
    }

    [Fact]
    public void Routes_CreateListDelete_WithDpserviceErrors()
    {
        using var t = new TestEngine();
        var hop = IPAddress.Parse("fc00:2::d000:0:0:5");
        Assert.Equal(DpError.NoVni, t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, hop).Error);
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, hop).IsOk);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("2001:db8:1::/48"), 100, hop).IsOk);
        Assert.Equal(DpError.RouteExists, t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, hop).Error);
        Assert.Equal(DpError.BadIpVer, t.Control.CreateRoute(100, IpPrefix.Parse("10.2.0.0/16"), 100, IPAddress.Parse("1.2.3.4")).Error);
        var routes = t.Control.ListRoutes(100).Value!;
        Assert.Equal(2, routes.Count);
        Assert.Equal(IpPrefix.Parse("10.1.0.0/16"), routes[0].Prefix);
        Assert.Equal(IpPrefix.Parse("2001:db8:1::/48"), routes[1].Prefix);
        Assert.Equal(2, t.Control.ListRoutes(0).Value!.Count);
        Assert.Empty(t.Control.ListRoutes(7).Value!);
        Assert.Equal(DpError.RouteBadPort, t.Control.DeleteRoute(100, IpPrefix.Parse("10.0.0.1/32")).Error);
        Assert.Equal(DpError.RouteNotFound, t.Control.DeleteRoute(100, IpPrefix.Parse("10.9.0.0/16")).Error);
        Assert.True(t.Control.DeleteRoute(100, IpPrefix.Parse("10.1.0.0/16")).IsOk);
        Assert.Single(t.Control.ListRoutes(100).Value!);
    }

    [Fact]
    public void Vni_CheckAndReset_FollowTypeRules()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("0.0.0.0/0"), 100, IPAddress.Parse("fc00:9::1")).IsOk);
        Assert.Equal(DpError.WrongType, t.Control.CheckVniInUse(100, VniType.Both).Error);
        Assert.False(t.Control.CheckVniInUse(200, VniType.Ipv6).Value);
        Assert.Equal(DpError.WrongType, t.Control.ResetVni(100, VniType.Ipv4).Error);
        Assert.True(t.Control.ResetVni(999, VniType.Both).IsOk);
        Assert.True(t.Control.ResetVni(100, VniType.Both).IsOk);
        Assert.Empty(t.Control.ListRoutes(100).Value!);
        Assert.True(t.Control.GetInterface("a").IsOk);
    }

    [Fact]
    public void Initialize_AgainDropsRoutes_KeepsInterfacesVipsAndPrefixes()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse("fc00:9::1")).IsOk);
        Assert.True(t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).IsOk);
        Assert.True(t.Control.CreatePrefix("a", IpPrefix.Parse("10.7.0.0/24")).IsOk);
        Assert.True(t.Control.Initialize().IsOk);
        Assert.Empty(t.Control.ListRoutes(0).Value!);
        Assert.True(t.Control.GetVip("a").IsOk);
        Assert.Single(t.Control.ListPrefixes("a").Value!);
        Assert.Equal(DpError.RouteExists, t.Control.CreateRoute(100, IpPrefix.Parse("10.7.0.0/24"), 100, IPAddress.Parse("fc00:9::1")).Error);
    }

    [Fact]
    public void Vip_CreateGetDelete_WithDpserviceErrors()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        t.CreateInterface("b", 100, "10.0.0.2", null, 2);
        Assert.Equal(DpError.NoVm, t.Control.CreateVip("zz", IPAddress.Parse("45.86.6.6")).Error);
        Assert.Equal(DpError.BadIpVer, t.Control.CreateVip("a", IPAddress.Parse("2001:db8::9")).Error);
        Assert.Equal(DpError.SnatNoData, t.Control.GetVip("a").Error);
        var underlay = t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).Value!;
        Assert.Equal(DpError.SnatExists, t.Control.CreateVip("a", IPAddress.Parse("45.86.6.7")).Error);
        Assert.Equal(DpError.DnatExists, t.Control.CreateVip("b", IPAddress.Parse("45.86.6.6")).Error);
        var vip = t.Control.GetVip("a").Value!;
        Assert.Equal(IPAddress.Parse("45.86.6.6"), vip.VipAddress);
        Assert.Equal(underlay, vip.UnderlayRoute);
        Assert.NotEqual(t.Control.GetInterface("a").Value!.UnderlayRoute, underlay);
        Assert.True(t.Control.DeleteVip("a").IsOk);
        Assert.Equal(DpError.SnatNoData, t.Control.DeleteVip("a").Error);
        Assert.Equal(341u, (uint)DpError.SnatNoData);
    }

    [Fact]
    public void Prefix_CreateListDelete_WithDpserviceErrors()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        Assert.Equal(DpError.NoVm, t.Control.CreatePrefix("zz", IpPrefix.Parse("10.7.0.0/24")).Error);
        var underlay = t.Control.CreatePrefix("a", IpPrefix.Parse("10.7.0.9/24")).Value!;
        Assert.Equal(DpError.RouteExists, t.Control.CreatePrefix("a", IpPrefix.Parse("10.7.0.0/24")).Error);
        var list = t.Control.ListPrefixes("a").Value!;
        Assert.Equal(IpPrefix.Parse("10.7.0.0/24"), list[0].Prefix);
        Assert.Equal(underlay, list[0].UnderlayRoute);
        Assert.Equal(DpError.RouteNotFound, t.Control.DeletePrefix("a", IpPrefix.Parse("10.8.0.0/24")).Error);
        Assert.True(t.Control.DeletePrefix("a", IpPrefix.Parse("10.7.0.0/24")).IsOk);
        Assert.Empty(t.Control.ListPrefixes("a").Value!);
    }

    [Fact]
    public void DeleteInterface_ReleasesVniAndPort()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        Assert.True(t.Control.DeleteInterface("a").IsOk);
        Assert.False(t.Control.CheckVniInUse(100, VniType.Ipv4).Value);
        Assert.Empty(t.Control.ListInterfaces().Value!);
        t.CreateInterface("a2", 100, "10.0.0.1", null, 1);
    }

    [Fact]
    public void EmptyDeviceName_PicksFirstFreeVmPort()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        var created = t.Control.CreateInterface(Request("b", v4: "10.0.0.2", v6: null, device: ""));
        Assert.Equal("vm2", created.Value!.VfName);
        Assert.Equal("net_tap2", t.Control.GetInterface("b").Value!.PciName);
    }

    [Fact]
    public void DpErrorNames_MatchDpservice()
    {
        Assert.Equal("Success", DpErrors.GetName(DpError.Success));
        Assert.Equal("NO_VM", DpErrors.GetName(DpError.NoVm));
        Assert.Equal("ROUTE_EXISTS", DpErrors.GetName((DpError)301));
        Assert.Equal("VNF_INSERT", DpErrors.GetName((DpError)401));
        Assert.Equal("NO_DROP_SUPPORT", DpErrors.GetName((DpError)441));
    }
}
