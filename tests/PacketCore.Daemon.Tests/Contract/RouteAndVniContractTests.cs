using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using IronOrleans.PacketCore.Grpc.V1;
using static IronOrleans.PacketCore.Daemon.Tests.Infrastructure.Wire;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>Routes and VNIs over the real socket: reference/dpservice.md §1.5 (#31-#35), §1.7.</summary>
public sealed class RouteAndVniContractTests
{
    private const string NextHop = "fc00:2::d000:0:0:1";

    [Fact]
    public async Task Routes_need_a_live_vni_an_ipv6_next_hop_and_are_unique()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;

        AssertStatus((await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct)).Status, 206, "NO_VNI");
        AssertOk((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1"), cancellationToken: Ct)).Status);

        var v4NextHop = new Route { Prefix = Prefix("192.168.1.0", 24), NexthopAddress = V4("10.1.1.1") };
        AssertStatus((await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = v4NextHop }, cancellationToken: Ct)).Status, 204, "BAD_IPVER");

        AssertOk((await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop, 100) }, cancellationToken: Ct)).Status);
        AssertStatus((await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct)).Status, 301, "ROUTE_EXISTS");

        var list = await c.ListRoutesAsync(new ListRoutesRequest { Vni = 100 }, cancellationToken: Ct);
        AssertOk(list.Status);
        var route = Assert.Single(list.Routes, r => r.Prefix.Ip.Address.ToStringUtf8() == "192.168.1.0");
        Assert.Equal(24u, route.Prefix.Length);
        Assert.Equal(IpVersion.Ipv4, route.Prefix.Ip.Ipver);
        Assert.Equal(IpVersion.Ipv6, route.NexthopAddress.Ipver);
        Assert.Equal(System.Net.IPAddress.Parse(NextHop), System.Net.IPAddress.Parse(route.NexthopAddress.Address.ToStringUtf8()));
        Assert.Equal(100u, route.NexthopVni);

        // Deleting the VM's own host route is refused (304); deleting a missing route is 302.
        AssertStatus((await c.DeleteRouteAsync(new DeleteRouteRequest { Vni = 100, Route = Route("10.0.0.1", 32, NextHop) }, cancellationToken: Ct)).Status, 304, "ROUTE_BAD_PORT");
        AssertOk((await c.DeleteRouteAsync(new DeleteRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct)).Status);
        AssertStatus((await c.DeleteRouteAsync(new DeleteRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct)).Status, 302, "ROUTE_NOT_FOUND");
    }

    [Fact]
    public async Task Bad_route_input_is_invalid_argument_and_changes_nothing()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;
        AssertOk((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1"), cancellationToken: Ct)).Status);
        var before = (await c.ListRoutesAsync(new ListRoutesRequest { Vni = 100 }, cancellationToken: Ct)).Routes.Count;

        await AssertInvalidAsync(async () => await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.300", 24, NextHop) }, cancellationToken: Ct), "Invalid route.prefix.ip");
        await AssertInvalidAsync(async () => await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 33, NextHop) }, cancellationToken: Ct), "Invalid route.prefix.length");
        await AssertInvalidAsync(async () => await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, "fc00::zz") }, cancellationToken: Ct), "Invalid route.nexthop_address");
        await AssertInvalidAsync(async () => await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100 }, cancellationToken: Ct), "Invalid route.prefix.ip");
        await AssertInvalidAsync(async () => await c.CreateRouteAsync(new CreateRouteRequest { Vni = 0x1000000, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct), "VNI exceeds 24-bit range");
        var ipverMismatch = new Route { Prefix = new Prefix { Ip = new IpAddress { Ipver = IpVersion.Ipv6, Address = Text("192.168.1.0") }, Length = 24 }, NexthopAddress = V6(NextHop) };
        await AssertInvalidAsync(async () => await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = ipverMismatch }, cancellationToken: Ct), "Invalid route.prefix.ip");

        Assert.Equal(before, (await c.ListRoutesAsync(new ListRoutesRequest { Vni = 100 }, cancellationToken: Ct)).Routes.Count);
    }

    [Fact]
    public async Task Initialize_again_drops_configured_routes_but_keeps_interfaces()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;
        AssertOk((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1"), cancellationToken: Ct)).Status);
        AssertOk((await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct)).Status);

        await c.InitializeAsync(new InitializeRequest(), cancellationToken: Ct);

        var routes = await c.ListRoutesAsync(new ListRoutesRequest { Vni = 0 }, cancellationToken: Ct);
        Assert.DoesNotContain(routes.Routes, r => r.Prefix.Ip.Address.ToStringUtf8() == "192.168.1.0");
        Assert.Single((await c.ListInterfacesAsync(new ListInterfacesRequest(), cancellationToken: Ct)).Interfaces);
    }

    [Fact]
    public async Task CheckVniInUse_and_ResetVni_follow_dpservice_type_rules()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;
        Assert.False((await c.CheckVniInUseAsync(new CheckVniInUseRequest { Vni = 100, Type = VniType.VniIpv4 }, cancellationToken: Ct)).InUse);
        AssertOk((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1"), cancellationToken: Ct)).Status);

        var v4 = await c.CheckVniInUseAsync(new CheckVniInUseRequest { Vni = 100, Type = VniType.VniIpv4 }, cancellationToken: Ct);
        AssertOk(v4.Status);
        Assert.True(v4.InUse);
        AssertStatus((await c.CheckVniInUseAsync(new CheckVniInUseRequest { Vni = 100, Type = VniType.VniBoth }, cancellationToken: Ct)).Status, 203, "WRONG_TYPE");

        AssertStatus((await c.ResetVniAsync(new ResetVniRequest { Vni = 100, Type = VniType.VniIpv4 }, cancellationToken: Ct)).Status, 203, "WRONG_TYPE");
        AssertOk((await c.ResetVniAsync(new ResetVniRequest { Vni = 4242, Type = VniType.VniBoth }, cancellationToken: Ct)).Status); // unknown: silent success

        AssertOk((await c.CreateRouteAsync(new CreateRouteRequest { Vni = 100, Route = Route("192.168.1.0", 24, NextHop) }, cancellationToken: Ct)).Status);
        AssertOk((await c.ResetVniAsync(new ResetVniRequest { Vni = 100, Type = VniType.VniBoth }, cancellationToken: Ct)).Status);
        var routes = await c.ListRoutesAsync(new ListRoutesRequest { Vni = 100 }, cancellationToken: Ct);
        Assert.DoesNotContain(routes.Routes, r => r.Prefix.Ip.Address.ToStringUtf8() == "192.168.1.0");

        await AssertInvalidAsync(async () => await c.CheckVniInUseAsync(new CheckVniInUseRequest { Vni = 0x1000000 }, cancellationToken: Ct), "VNI exceeds 24-bit range");
    }
}
