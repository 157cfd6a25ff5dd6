using System.Net;
using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using IronOrleans.PacketCore.Grpc.V1;
using static IronOrleans.PacketCore.Daemon.Tests.Infrastructure.Wire;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>Alias prefixes and VIPs over the real socket: reference/dpservice.md §1.5 (#8-#10, #14-#16), §1.7.</summary>
public sealed class PrefixAndVipContractTests
{
    [Fact]
    public async Task Alias_prefix_gets_its_own_underlay_and_is_listed()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;
        AssertStatus((await c.CreatePrefixAsync(new CreatePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.0", 24) }, cancellationToken: Ct)).Status, 205, "NO_VM");
        var vm = await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1"), cancellationToken: Ct);
        AssertOk(vm.Status);

        var created = await c.CreatePrefixAsync(new CreatePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.0", 24) }, cancellationToken: Ct);
        AssertOk(created.Status);
        Assert.True(IPAddress.TryParse(created.UnderlayRoute.ToStringUtf8(), out var underlay), "underlay_route is text");
        Assert.NotEqual(vm.UnderlayRoute, created.UnderlayRoute);

        var list = await c.ListPrefixesAsync(new ListPrefixesRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct);
        AssertOk(list.Status);
        var prefix = Assert.Single(list.Prefixes);
        Assert.Equal("10.10.0.0", prefix.Ip.Address.ToStringUtf8());
        Assert.Equal(24u, prefix.Length);
        Assert.Equal(underlay, IPAddress.Parse(prefix.UnderlayRoute.ToStringUtf8()));

        AssertStatus((await c.CreatePrefixAsync(new CreatePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.0", 24) }, cancellationToken: Ct)).Status, 301, "ROUTE_EXISTS");
        AssertOk((await c.DeletePrefixAsync(new DeletePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.0", 24) }, cancellationToken: Ct)).Status);
        AssertStatus((await c.DeletePrefixAsync(new DeletePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.0", 24) }, cancellationToken: Ct)).Status, 302, "ROUTE_NOT_FOUND");

        await AssertInvalidAsync(async () => await c.CreatePrefixAsync(new CreatePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.x", 24) }, cancellationToken: Ct), "Invalid prefix.ip");
        await AssertInvalidAsync(async () => await c.CreatePrefixAsync(new CreatePrefixRequest { InterfaceId = Text("vm-1"), Prefix = Prefix("10.10.0.0", 40) }, cancellationToken: Ct), "Invalid prefix.length");
        await AssertInvalidAsync(async () => await c.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct), "Invalid interface_id");
        Assert.Empty((await c.ListPrefixesAsync(new ListPrefixesRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Prefixes);
    }

    [Fact]
    public async Task Vip_is_ipv4_only_unique_per_interface_and_readable()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;
        AssertOk((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1"), cancellationToken: Ct)).Status);

        AssertStatus((await c.CreateVipAsync(new CreateVipRequest { InterfaceId = Text("vm-1"), VipIp = V6("2001:db8::1") }, cancellationToken: Ct)).Status, 204, "BAD_IPVER");
        AssertStatus((await c.GetVipAsync(new GetVipRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status, 341, "SNAT_NO_DATA");

        var created = await c.CreateVipAsync(new CreateVipRequest { InterfaceId = Text("vm-1"), VipIp = V4("45.86.6.6") }, cancellationToken: Ct);
        AssertOk(created.Status);
        Assert.True(IPAddress.TryParse(created.UnderlayRoute.ToStringUtf8(), out _), "underlay_route is text");
        AssertStatus((await c.CreateVipAsync(new CreateVipRequest { InterfaceId = Text("vm-1"), VipIp = V4("45.86.6.7") }, cancellationToken: Ct)).Status, 343, "SNAT_EXISTS");

        var got = await c.GetVipAsync(new GetVipRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct);
        AssertOk(got.Status);
        Assert.Equal(IpVersion.Ipv4, got.VipIp.Ipver);
        Assert.Equal("45.86.6.6", got.VipIp.Address.ToStringUtf8());
        Assert.Equal(created.UnderlayRoute, got.UnderlayRoute);

        AssertOk((await c.DeleteVipAsync(new DeleteVipRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status);
        AssertStatus((await c.DeleteVipAsync(new DeleteVipRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status, 341, "SNAT_NO_DATA");

        await AssertInvalidAsync(async () => await c.CreateVipAsync(new CreateVipRequest { InterfaceId = Text("vm-1"), VipIp = V4("45.86.6") }, cancellationToken: Ct), "Invalid vip_ip");
        await AssertInvalidAsync(async () => await c.CreateVipAsync(new CreateVipRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct), "Invalid vip_ip");
        AssertStatus((await c.GetVipAsync(new GetVipRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status, 341, "SNAT_NO_DATA");
    }
}
