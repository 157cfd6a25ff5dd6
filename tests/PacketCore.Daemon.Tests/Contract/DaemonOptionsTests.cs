using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>The daemon refuses to start on bad options, naming the setting and its switch.</summary>
public sealed class DaemonOptionsTests
{
    public static TheoryData<string[], string> BadOptions => new()
    {
        { ["--port-backend=inmemory", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00"], "--ipv6" },
        { ["--port-backend=inmemory", "--ipv6=10.0.0.1", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00"], "--ipv6" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--vf=vf0,02:00:00:00:01:00"], "--pf0" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,02:00:00:00:00:01"], "--vf" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,nomac", "--vf=vf0,02:00:00:00:01:00"], "--pf0" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00", "--dhcp-mtu=9000"], "--dhcp-mtu" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00", "--dhcp-dns=fd00::53"], "--dhcp-dns" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00", "--grpc-port=80"], "--grpc-port" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00", "--PacketCore:InMemoryRingSize=3"], "PacketCore:InMemoryRingSize" },
        { ["--port-backend=inmemory", "--ipv6=fc00:1::1", "--pf0=up0,02:00:00:00:00:01", "--vf=vf0,02:00:00:00:01:00", "--PacketCore:InMemoryRingSize=1"], "PacketCore:InMemoryRingSize" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Bad_options_fail_start_with_a_message_naming_the_switch(string[] args, string mentioned)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await DaemonHost.StartWithAsync(args);
        });
        var validation = ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException;
        Assert.True(validation is not null, $"expected an options validation failure, got {ex}");
        Assert.Contains(mentioned, validation!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dpservice_style_switches_reach_the_engine_options()
    {
        await using var host = await DaemonHost.StartWithAsync(
            "--port-backend", "inmemory", "--ipv6", "fc00:5::1", "--pf0", "up9,02:00:00:00:00:09,02:00:00:00:00:99",
            "--vf", "vfa,02:00:00:00:0a:00", "--vf", "vfb,02:00:00:00:0b:00,02:00:00:00:0b:01",
            "--dhcp-mtu", "1450", "--dhcp-dns", "1.1.1.1", "--dhcp-dns", "8.8.8.8", "--dhcpv6-dns", "fd00::53",
            "--flow-timeout", "12", "--tcp-established-timeout", "600", "--no-ipxe");
        var o = host.Services.GetRequiredService<IOptions<PacketCoreOptions>>().Value;
        Assert.Equal("fc00:5::1", o.HostUnderlayAddress);
        Assert.Equal(PortBackend.InMemory, o.Backend);
        Assert.Equal(("up9", "02:00:00:00:00:09", "02:00:00:00:00:99"), (o.Uplink.Name, o.Uplink.Mac, o.Uplink.PeerMac));
        Assert.Equal(["vfa", "vfb"], o.VmPorts.Select(p => p.Name).ToArray());
        Assert.Equal("02:00:00:00:0b:01", o.VmPorts[1].PeerMac);
        Assert.Equal(1450, o.DhcpMtu);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], o.DhcpDns.ToArray());
        Assert.Equal(["fd00::53"], o.Dhcpv6Dns.ToArray());
        Assert.Equal(TimeSpan.FromSeconds(12), o.FlowTimeout);
        Assert.Equal(TimeSpan.FromSeconds(600), o.TcpEstablishedTimeout);
        Assert.False(o.IpxeMode);
    }
}
