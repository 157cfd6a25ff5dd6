using System.Net;
using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using IronOrleans.PacketCore.Grpc.V1;
using static IronOrleans.PacketCore.Daemon.Tests.Infrastructure.Wire;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>Interfaces over the real socket: reference/dpservice.md §1.2, §1.5 (#4-#7), §1.6, §1.7.</summary>
public sealed class InterfaceContractTests
{
    [Fact]
    public async Task Create_get_list_delete_round_trip_uses_text_addresses()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;

        var created = await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1", "fd00::1", "vf0"), cancellationToken: Ct);
        AssertOk(created.Status);
        var underlay = IPAddress.Parse(created.UnderlayRoute.ToStringUtf8());
        var bytes = underlay.GetAddressBytes();
        Assert.Equal(IPAddress.Parse("fc00:1::").GetAddressBytes()[..8], bytes[..8]); // the host's /64
        Assert.Equal(0xd0, bytes[8]);                                                  // <prefix>:d0XX scheme
        Assert.False(string.IsNullOrEmpty(created.Vf.Name), "vf.name must carry the port's netdev name");

        var got = await c.GetInterfaceAsync(new GetInterfaceRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct);
        AssertOk(got.Status);
        Assert.Equal("vm-1", got.Interface.Id.ToStringUtf8());
        Assert.Equal(100u, got.Interface.Vni);
        Assert.Equal("10.0.0.1", got.Interface.PrimaryIpv4.ToStringUtf8());
        Assert.Equal("fd00::1", got.Interface.PrimaryIpv6.ToStringUtf8());
        Assert.Equal(created.UnderlayRoute, got.Interface.UnderlayRoute);
        Assert.Equal("vf0", got.Interface.PciName);

        var v4only = await c.CreateInterfaceAsync(Interface("vm-2", 100, "10.0.0.2", "::", "vf1"), cancellationToken: Ct);
        AssertOk(v4only.Status);
        var list = await c.ListInterfacesAsync(new ListInterfacesRequest(), cancellationToken: Ct);
        AssertOk(list.Status);
        Assert.Equal(["vm-1", "vm-2"], list.Interfaces.Select(i => i.Id.ToStringUtf8()).Order().ToArray());
        Assert.Equal("::", list.Interfaces.Single(i => i.Id.ToStringUtf8() == "vm-2").PrimaryIpv6.ToStringUtf8());

        AssertOk((await c.DeleteInterfaceAsync(new DeleteInterfaceRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status);
        AssertStatus((await c.GetInterfaceAsync(new GetInterfaceRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status, 201, "NOT_FOUND");
        AssertStatus((await c.DeleteInterfaceAsync(new DeleteInterfaceRequest { InterfaceId = Text("vm-1") }, cancellationToken: Ct)).Status, 201, "NOT_FOUND");
    }

    [Fact]
    public async Task Create_errors_carry_dpservice_codes_and_names()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var c = host.Client;
        AssertOk((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.1", device: "vf0"), cancellationToken: Ct)).Status);

        // unknown device → 201; device in use → 202; duplicate id → 402; same IP in the VNI → 301.
        AssertStatus((await c.CreateInterfaceAsync(Interface("vm-x", 100, "10.0.0.9", device: "nope"), cancellationToken: Ct)).Status, 201, "NOT_FOUND");
        AssertStatus((await c.CreateInterfaceAsync(Interface("vm-x", 100, "10.0.0.9", device: "vf0"), cancellationToken: Ct)).Status, 202, "ALREADY_EXISTS");
        AssertStatus((await c.CreateInterfaceAsync(Interface("vm-1", 100, "10.0.0.9", device: "vf1"), cancellationToken: Ct)).Status, 402, "VM_HANDLE");
        AssertStatus((await c.CreateInterfaceAsync(Interface("vm-y", 100, "10.0.0.1", device: "vf1"), cancellationToken: Ct)).Status, 301, "ROUTE_EXISTS");

        // Failed creates changed nothing.
        var list = await c.ListInterfacesAsync(new ListInterfacesRequest(), cancellationToken: Ct);
        Assert.Equal(["vm-1"], list.Interfaces.Select(i => i.Id.ToStringUtf8()).ToArray());
    }

    public static TheoryData<string, string, string, uint, string, string> BadCreates => new()
    {
        // id, ipv4, ipv6, vni, preferred underlay, expected INVALID_ARGUMENT text
        { "", "10.0.0.1", "::", 1, "", "Invalid interface_id" },
        { "bad/id", "10.0.0.1", "::", 1, "", "Invalid interface_id" },
        { "bad id", "10.0.0.1", "::", 1, "", "Invalid interface_id" },
        { new string('a', 64), "10.0.0.1", "::", 1, "", "Invalid interface_id" },
        { "ok", "10.0.0.256", "::", 1, "", "Invalid ipv4_config.primary_address" },
        { "ok", "10.0.0", "::", 1, "", "Invalid ipv4_config.primary_address" },
        { "ok", "10.0.0.01", "::", 1, "", "Invalid ipv4_config.primary_address" },
        { "ok", "fd00::1", "::", 1, "", "Invalid ipv4_config.primary_address" },
        { "ok", "", "::", 1, "", "Invalid ipv4_config.primary_address" },
        { "ok", "10.0.0.1", "fd00::zz", 1, "", "Invalid ipv6_config.primary_address" },
        { "ok", "10.0.0.1", "10.0.0.2", 1, "", "Invalid ipv6_config.primary_address" },
        { "ok", "0.0.0.0", "::", 1, "", "Invalid ipv4_config.primary_address and ipv6_config.primary_address combination" },
        { "ok", "10.0.0.1", "::", 0x1000000, "", "VNI exceeds 24-bit range" },
        { "ok", "10.0.0.1", "::", 1, "not-an-address", "Invalid preferred_underlay_route" },
        { "ok", "10.0.0.1", "::", 1, "fc00:9::8000:0:1", "Invalid preferred_underlay_route" }, // other /64
        { "ok", "10.0.0.1", "::", 1, "fc00:1::4000:0:1", "Invalid preferred_underlay_route" }, // byte 10 lacks the 0x80 flag
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_create_input_is_invalid_argument_and_changes_nothing(
        string id, string ipv4, string ipv6, uint vni, string preferred, string message)
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var request = Interface(id, vni, ipv4, ipv6);
        request.PreferredUnderlayRoute = Text(preferred);
        await AssertInvalidAsync(async () => await host.Client.CreateInterfaceAsync(request, cancellationToken: Ct), message);

        var list = await host.Client.ListInterfacesAsync(new ListInterfacesRequest(), cancellationToken: Ct);
        Assert.Empty(list.Interfaces);
        var inUse = await host.Client.CheckVniInUseAsync(new CheckVniInUseRequest { Vni = vni & 0xFFFFFF, Type = VniType.VniIpv4 }, cancellationToken: Ct);
        Assert.False(inUse.InUse, "a refused create must not take a VNI reference");
    }

    [Fact]
    public async Task Preferred_underlay_in_the_host_64_with_flag_0x80_is_used_verbatim()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var request = Interface("vm-ha", 7, "10.7.0.1");
        request.PreferredUnderlayRoute = Text("fc00:1::8000:0:1");
        var created = await host.Client.CreateInterfaceAsync(request, cancellationToken: Ct);
        AssertOk(created.Status);
        Assert.Equal(IPAddress.Parse("fc00:1::8000:0:1"), IPAddress.Parse(created.UnderlayRoute.ToStringUtf8()));

        var collision = Interface("vm-ha2", 7, "10.7.0.2", device: "vf1");
        collision.PreferredUnderlayRoute = Text("fc00:1::8000:0:1");
        AssertStatus((await host.Client.CreateInterfaceAsync(collision, cancellationToken: Ct)).Status, 401, "VNF_INSERT");
    }

    [Fact]
    public async Task Get_and_delete_validate_the_id()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        await AssertInvalidAsync(async () => await host.Client.GetInterfaceAsync(new GetInterfaceRequest(), cancellationToken: Ct), "Invalid interface_id");
        await AssertInvalidAsync(async () => await host.Client.DeleteInterfaceAsync(new DeleteInterfaceRequest { InterfaceId = Text(new string('x', 64)) }, cancellationToken: Ct), "Invalid interface_id");
    }
}
