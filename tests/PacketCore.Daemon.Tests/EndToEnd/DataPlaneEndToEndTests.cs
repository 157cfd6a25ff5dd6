using System.Net;
using IronOrleans.PacketCore.Grpc.V1;
using static IronOrleans.PacketCore.Daemon.Tests.Infrastructure.Wire;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>
/// Real packets: network namespaces as VMs on PacketCore TAP ports, configured only through the dpservice gRPC
/// contract. No kernel tunnel is used; underlay frames are crafted and parsed by hand on the router side.
/// </summary>
[Trait("Category", "E2E")]
[Collection(nameof(DataPlaneEndToEndTests))] // one rig at a time: the machine has two cores
public sealed class DataPlaneEndToEndTests
{
    private static readonly TimeSpan DhcpTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CaptureWindow = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Busybox_udhcpc_gets_the_interface_address_and_options_from_PacketCore()
    {
        await using var rig = await DataPlaneRig.StartAsync("--dhcp-mtu=1450", "--dhcp-dns=192.0.2.53");
        var (vm, _) = await rig.AddVmAsync(0, "vm-dhcp", 100, "10.0.0.1");

        Assert.Equal("10.0.0.1", await vm.DhcpAsync(DhcpTimeout));

        var addr = await vm.Ns.CheckAsync("ip", "-4", "-o", "addr", "show", "dev", vm.Device);
        Assert.Contains("10.0.0.1/32", addr.StdOut, StringComparison.Ordinal);
        var routes = await vm.Ns.CheckAsync("ip", "-4", "route", "show");
        Assert.Contains("default via 169.254.0.1", routes.StdOut, StringComparison.Ordinal);
        var link = await vm.Ns.CheckAsync("ip", "-o", "link", "show", "dev", vm.Device);
        Assert.Contains("mtu 1450", link.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_vms_of_one_vni_ping_each_other_and_move_a_tcp_stream()
    {
        await using var rig = await DataPlaneRig.StartAsync();
        var (vm1, _) = await rig.AddVmAsync(0, "vm-a", 100, "10.0.0.1");
        var (vm2, _) = await rig.AddVmAsync(1, "vm-b", 100, "10.0.0.2");
        Assert.Equal("10.0.0.1", await vm1.DhcpAsync(DhcpTimeout));
        Assert.Equal("10.0.0.2", await vm2.DhcpAsync(DhcpTimeout));

        var ping = await vm1.PingAsync("10.0.0.2", count: 4);
        Assert.True(ping.Ok, $"vm-a could not ping vm-b in VNI 100: {ping}");

        var tcp = E2eScripts.WriteTcpScript();
        await using var server = vm2.Ns.Start(PacketCapture.Python, tcp, "server", "10.0.0.2", "5201");
        Assert.NotNull(await server.WaitForLineAsync(l => l == "READY", TimeSpan.FromSeconds(15)));
        var client = await vm1.Ns.RunAsync(TimeSpan.FromSeconds(60), PacketCapture.Python, tcp, "client", "10.0.0.2", "5201", (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(client.Ok, $"TCP client failed: {client}");
        var got = await server.WaitForLineAsync(l => l.StartsWith("GOT ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var sent = client.StdOut.Split('\n').Single(l => l.StartsWith("SENT ", StringComparison.Ordinal)).Trim();
        Assert.True(got is not null, $"server got nothing; stderr: {server.StdErr}");
        Assert.Equal(sent[5..], got![4..]); // same byte count and SHA-256
    }

    [Fact]
    public async Task Nothing_passes_between_vnis()
    {
        await using var rig = await DataPlaneRig.StartAsync();
        var (vm1, _) = await rig.AddVmAsync(0, "vm-a", 100, "10.0.0.1");
        var (vm3, _) = await rig.AddVmAsync(2, "vm-c", 200, "10.0.0.3");
        await vm1.DhcpAsync(DhcpTimeout);
        await vm3.DhcpAsync(DhcpTimeout);

        await using var capture = await PacketCapture.StartAsync(vm3.Ns, vm3.Device, "icmp4", CaptureWindow);
        var ping = await vm1.PingAsync("10.0.0.3", count: 3);
        Assert.False(ping.Ok, "vm-a (VNI 100) reached vm-c (VNI 200)");
        var back = await vm3.PingAsync("10.0.0.1", count: 2);
        Assert.False(back.Ok, "vm-c (VNI 200) reached vm-a (VNI 100)");
        var frames = await capture.StopAndCollectAsync();
        Assert.DoesNotContain(frames, f => Equals(f.InnerSource, IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public async Task Traffic_to_a_remote_route_leaves_the_uplink_encapsulated_from_the_vm_underlay()
    {
        await using var rig = await DataPlaneRig.StartAsync();
        var (vm1, underlay) = await rig.AddVmAsync(0, "vm-a", 100, "10.0.0.1");
        await rig.AddRouteAsync(100, "192.168.50.0", 24);
        await vm1.DhcpAsync(DhcpTimeout);

        await using var capture = await PacketCapture.StartAsync(rig.Router, rig.UplinkTap, "ipip", CaptureWindow);
        await vm1.PingAsync("192.168.50.7", count: 2); // no reply expected: the router side is only a capture
        var frame = await capture.WaitForAsync(f => Equals(f.InnerDestination, IPAddress.Parse("192.168.50.7")));

        Assert.True(frame is not null, $"no IP-in-IPv6 frame on the uplink; saw: {string.Join("; ", capture.Frames)}");
        Assert.Equal(0x86dd, frame!.EtherType);
        Assert.Equal(4, frame.NextHeader); // IPv4 in IPv6, no VXLAN/Geneve header
        Assert.Equal(underlay, frame.OuterSource);
        Assert.Equal(IPAddress.Parse(DataPlaneRig.RemoteNextHop), frame.OuterDestination);
        Assert.Equal(64, frame.HopLimit);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), frame.InnerSource);
        Assert.Equal(8, frame.IcmpType);
    }

    [Fact]
    public async Task Encapsulated_traffic_from_the_uplink_reaches_only_the_addressed_vm()
    {
        await using var rig = await DataPlaneRig.StartAsync();
        var (vm1, underlay1) = await rig.AddVmAsync(0, "vm-a", 100, "10.0.0.1");
        var (vm2, _) = await rig.AddVmAsync(1, "vm-b", 100, "10.0.0.2");
        await rig.AddRouteAsync(100, "192.168.50.0", 24);
        await vm1.DhcpAsync(DhcpTimeout);
        await vm2.DhcpAsync(DhcpTimeout);

        await using var atVm1 = await PacketCapture.StartAsync(vm1.Ns, vm1.Device, "icmp4", CaptureWindow);
        await using var atVm2 = await PacketCapture.StartAsync(vm2.Ns, vm2.Device, "icmp4", CaptureWindow);
        await using var atRouter = await PacketCapture.StartAsync(rig.Router, rig.UplinkTap, "ipip", CaptureWindow);

        var echo = Frames.IpipEchoRequest(DataPlaneRig.UplinkMac, DataPlaneRig.RouterMac,
            IPAddress.Parse(DataPlaneRig.RemoteNextHop), underlay1, IPAddress.Parse("192.168.50.7"), IPAddress.Parse("10.0.0.1"), 0x4242, 1);
        await PacketCapture.SendAsync(rig.Router, rig.UplinkTap, echo);

        var arrived = await atVm1.WaitForAsync(f => Equals(f.InnerSource, IPAddress.Parse("192.168.50.7")) && f.IcmpType == 8);
        Assert.True(arrived is not null, $"vm-a did not receive the decapsulated echo; vm-a saw: {string.Join("; ", atVm1.Frames)}");
        Assert.Equal(IPAddress.Parse("10.0.0.1"), arrived!.InnerDestination);

        // The VM's kernel answers; the reply must leave encapsulated toward the route's next hop.
        var reply = await atRouter.WaitForAsync(f => Equals(f.InnerDestination, IPAddress.Parse("192.168.50.7")) && f.IcmpType == 0);
        Assert.True(reply is not null, $"no encapsulated echo reply on the uplink; saw: {string.Join("; ", atRouter.Frames)}");
        Assert.Equal(underlay1, reply!.OuterSource);
        Assert.Equal(IPAddress.Parse(DataPlaneRig.RemoteNextHop), reply.OuterDestination);

        var atVm2Frames = await atVm2.StopAndCollectAsync();
        Assert.DoesNotContain(atVm2Frames, f => Equals(f.InnerSource, IPAddress.Parse("192.168.50.7")));
    }

    [Fact]
    public async Task A_vip_makes_the_vm_reachable_from_the_uplink_side()
    {
        await using var rig = await DataPlaneRig.StartAsync();
        var (vm1, _) = await rig.AddVmAsync(0, "vm-a", 100, "10.0.0.1");
        await rig.AddRouteAsync(100, "0.0.0.0", 0); // default route: "public" traffic, where the VIP applies
        var vip = await rig.Daemon.Client.CreateVipAsync(new CreateVipRequest { InterfaceId = Text("vm-a"), VipIp = V4("45.86.6.6") }, cancellationToken: Ct);
        AssertOk(vip.Status);
        var vipUnderlay = IPAddress.Parse(vip.UnderlayRoute.ToStringUtf8());
        await vm1.DhcpAsync(DhcpTimeout);

        await using var atVm1 = await PacketCapture.StartAsync(vm1.Ns, vm1.Device, "icmp4", CaptureWindow);
        await using var atRouter = await PacketCapture.StartAsync(rig.Router, rig.UplinkTap, "ipip", CaptureWindow);
        var echo = Frames.IpipEchoRequest(DataPlaneRig.UplinkMac, DataPlaneRig.RouterMac,
            IPAddress.Parse(DataPlaneRig.RemoteNextHop), vipUnderlay, IPAddress.Parse("198.51.100.9"), IPAddress.Parse("45.86.6.6"), 0x5151, 1);
        await PacketCapture.SendAsync(rig.Router, rig.UplinkTap, echo);

        var arrived = await atVm1.WaitForAsync(f => Equals(f.InnerSource, IPAddress.Parse("198.51.100.9")) && f.IcmpType == 8);
        Assert.True(arrived is not null, $"the VIP did not reach vm-a; vm-a saw: {string.Join("; ", atVm1.Frames)}");
        Assert.Equal(IPAddress.Parse("10.0.0.1"), arrived!.InnerDestination); // DNAT VIP → interface IP

        var reply = await atRouter.WaitForAsync(f => Equals(f.InnerDestination, IPAddress.Parse("198.51.100.9")) && f.IcmpType == 0);
        Assert.True(reply is not null, $"no encapsulated reply from the VIP; uplink saw: {string.Join("; ", atRouter.Frames)}");
        Assert.Equal(IPAddress.Parse("45.86.6.6"), reply!.InnerSource); // SNAT interface IP → VIP
        Assert.Equal(IPAddress.Parse(DataPlaneRig.RemoteNextHop), reply.OuterDestination);
    }
}
