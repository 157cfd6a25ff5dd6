using System.Net;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Tests;

public sealed class ConntrackAndVipTests
{
    private const string Vm1 = "52:54:00:00:00:01";
    private const string Remote = "fc00:2::d000:0:0:7";

    private static TestEngine WithDefaultRoute(Action<PacketCoreOptions>? configure = null)
    {
        var t = new TestEngine(configure);
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("0.0.0.0/0"), 100, IPAddress.Parse(Remote)).IsOk);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("::/0"), 100, IPAddress.Parse(Remote)).IsOk);
        return t;
    }

    private static void SendUdp(TestEngine t, ushort sourcePort) =>
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "8.8.8.8", sourcePort, 53, [])));

    [Fact]
    public void FlowTable_FindsBothDirections_AndRemovesCleanly()
    {
        var table = new FlowTable(64, 30, 1000);
        var key = FlowKey.Create(7, 1, 2, 6, 10, 20, isIpv6: false);
        var reply = FlowKey.Create(7, 2, 1, 6, 20, 10, isIpv6: false);
        var flow = table.Create(in key, in reply, 0);
        Assert.Equal(flow, table.Lookup(in key, 1, out var isReply));
        Assert.False(isReply);
        Assert.Equal(flow, table.Lookup(in reply, 1, out isReply));
        Assert.True(isReply);
        Assert.Equal(-1, table.Create(in reply, in key, 1));
        table.Remove(flow);
        Assert.Equal(-1, table.Lookup(in key, 1, out _));
        Assert.Equal(0, table.Count);

        // Many flows with colliding probe chains survive deletions of their neighbours.
        for (ushort i = 0; i < 60; i++)
        {
            var k = key with { SourcePort = i };
            var r = reply with { DestinationPort = i };
            Assert.True(table.Create(in k, in r, 0) >= 0);
        }

        for (ushort i = 0; i < 60; i += 2)
        {
            table.Remove(table.Lookup(key with { SourcePort = i }, 0, out _));
        }

        for (ushort i = 1; i < 60; i += 2)
        {
            Assert.True(table.Lookup(reply with { DestinationPort = i }, 0, out _) >= 0);
        }

        Assert.Equal(30, table.Count);
    }

    [Fact]
    public void Aging_IsIncremental_AndBoundedPerBurst()
    {
        using var t = WithDefaultRoute(o => o.AgingEntriesPerBurst = 4);
        for (ushort port = 1; port <= 12; port++)
        {
            SendUdp(t, port);
        }

        Assert.Equal(12, t.Engine.Worker.FlowCount);
        t.Time.Advance(TimeSpan.FromSeconds(31));
        t.Engine.ProcessBurst();
        Assert.Equal(8, t.Engine.Worker.FlowCount);
        t.Engine.ProcessBurst();
        Assert.Equal(4, t.Engine.Worker.FlowCount);
        t.Engine.ProcessBurst();
        Assert.Equal(0, t.Engine.Worker.FlowCount);
        Assert.Equal(12, t.Engine.GetCount(PacketCounter.FlowsExpired));
    }

    [Fact]
    public void FlowWithinTimeout_Survives_AndExpiredFlowIsRecreated()
    {
        using var t = WithDefaultRoute();
        SendUdp(t, 1000);
        t.Time.Advance(TimeSpan.FromSeconds(29));
        SendUdp(t, 1000);
        Assert.Equal(1, t.Engine.GetCount(PacketCounter.FlowsCreated));
        t.Time.Advance(TimeSpan.FromSeconds(31));
        SendUdp(t, 1000);
        Assert.Equal(2, t.Engine.GetCount(PacketCounter.FlowsCreated));
    }

    [Fact]
    public void EstablishedTcp_UsesTheLongTimeout()
    {
        using var t = WithDefaultRoute();
        var underlay = t.Control.GetInterface("a").Value!.UnderlayRoute.ToString();
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Tcp4("10.0.0.1", "1.2.3.4", 5000, 80, 0x02, [])));
        t.Send(t.Uplink, ForwardingTests.Tunnel(underlay, 4, Frames.Tcp4("1.2.3.4", "10.0.0.1", 80, 5000, 0x12, [])));
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Tcp4("10.0.0.1", "1.2.3.4", 5000, 80, 0x10, [])));
        var worker = t.Engine.Worker;
        var key = FlowKey.Create(100, 0x0A000001, 0x01020304, 6, 5000, 80, isIpv6: false);
        var flow = worker.Flows.Lookup(in key, t.Time.GetTimestamp(), out _);
        Assert.Equal(TcpState.Established, worker.Flows.Entry(flow).TcpState);
        t.Time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 300; i++)
        {
            t.Engine.ProcessBurst();
        }

        Assert.Equal(1, worker.FlowCount);
    }

    [Fact]
    public void Vip_SnatsOutboundOnDefaultRoute_AndDnatsTheReply_WithValidChecksums()
    {
        using var t = WithDefaultRoute();
        var vipUnderlay = t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).Value!;
        t.Send(t.Vm(1), Frames.ArpRequest(Vm1, "10.0.0.1", "169.254.0.1"));
        _ = TestEngine.TakeOne(t.Vm(1));

        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Tcp4("10.0.0.1", "93.184.216.34", 40000, 443, 0x02, "syn"u8)));
        var outbound = TestEngine.TakeOne(t.Uplink).AsSpan(14 + 40);
        Assert.Equal(Frames.Ip("45.86.6.6"), outbound.Slice(12, 4).ToArray());
        Assert.True(Frames.Ipv4HeaderValid(outbound));
        Assert.True(Frames.L4ChecksumValid4(outbound));

        var reply = Frames.Tcp4("93.184.216.34", "45.86.6.6", 443, 40000, 0x12, "synack"u8);
        t.Send(t.Uplink, ForwardingTests.Tunnel(vipUnderlay.ToString(), 4, reply));
        var inbound = TestEngine.TakeOne(t.Vm(1));
        Assert.Equal(Frames.Mac(Vm1), inbound.AsSpan(0, 6).ToArray());
        var ip = inbound.AsSpan(14);
        Assert.Equal(Frames.Ip("10.0.0.1"), ip.Slice(16, 4).ToArray());
        Assert.True(Frames.Ipv4HeaderValid(ip));
        Assert.True(Frames.L4ChecksumValid4(ip));
        Assert.Equal(1, t.Engine.GetCount(PacketCounter.SourceNat));
        Assert.Equal(1, t.Engine.GetCount(PacketCounter.DestinationNat));
    }

    [Fact]
    public void Vip_DnatsInboundFlow_AndSnatsTheVmReply_UdpAndIcmp()
    {
        using var t = WithDefaultRoute();
        var vipUnderlay = t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).Value!.ToString();

        t.Send(t.Uplink, ForwardingTests.Tunnel(vipUnderlay, 4, Frames.Udp4("1.2.3.4", "45.86.6.6", 999, 53, "q"u8)));
        var request = TestEngine.TakeOne(t.Vm(1)).AsSpan(14);
        Assert.Equal(Frames.Ip("10.0.0.1"), request.Slice(16, 4).ToArray());
        Assert.True(Frames.L4ChecksumValid4(request));

        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "1.2.3.4", 53, 999, "a"u8)));
        var response = TestEngine.TakeOne(t.Uplink).AsSpan(54);
        Assert.Equal(Frames.Ip("45.86.6.6"), response.Slice(12, 4).ToArray());
        Assert.True(Frames.L4ChecksumValid4(response));

        t.Send(t.Uplink, ForwardingTests.Tunnel(vipUnderlay, 4, Frames.IcmpEcho4("1.2.3.4", "45.86.6.6", 8, 77, 1)));
        var echo = TestEngine.TakeOne(t.Vm(1)).AsSpan(14);
        Assert.Equal(Frames.Ip("10.0.0.1"), echo.Slice(16, 4).ToArray());
        Assert.True(Frames.L4ChecksumValid4(echo));
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.IcmpEcho4("10.0.0.1", "1.2.3.4", 0, 77, 1)));
        var echoReply = TestEngine.TakeOne(t.Uplink).AsSpan(54);
        Assert.Equal(Frames.Ip("45.86.6.6"), echoReply.Slice(12, 4).ToArray());
        Assert.True(Frames.Ipv4HeaderValid(echoReply));
    }

    [Fact]
    public void Vip_IsNotAppliedToNonDefaultRoutes()
    {
        using var t = WithDefaultRoute();
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(Remote)).IsOk);
        Assert.True(t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).IsOk);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.1.0.5", 1, 2, [])));
        Assert.Equal(Frames.Ip("10.0.0.1"), TestEngine.TakeOne(t.Uplink).AsSpan(54 + 12, 4).ToArray());
    }

    [Fact]
    public void DeletingVip_StopsTranslationOfExistingFlows()
    {
        using var t = WithDefaultRoute();
        Assert.True(t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).IsOk);
        SendUdp(t, 7000);
        Assert.Equal(Frames.Ip("45.86.6.6"), TestEngine.TakeOne(t.Uplink).AsSpan(54 + 12, 4).ToArray());
        Assert.True(t.Control.DeleteVip("a").IsOk);
        SendUdp(t, 7000);
        Assert.Equal(Frames.Ip("10.0.0.1"), TestEngine.TakeOne(t.Uplink).AsSpan(54 + 12, 4).ToArray());
    }

    [Fact]
    public void InboundToVipUnderlay_ForOtherAddress_IsDropped()
    {
        using var t = WithDefaultRoute();
        var vipUnderlay = t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).Value!.ToString();
        t.Send(t.Uplink, ForwardingTests.Tunnel(vipUnderlay, 4, Frames.Udp4("1.2.3.4", "45.86.6.7", 1, 2, [])));
        t.AssertNothingSent();
        Assert.Equal(1, t.Drops(DropReason.InnerDestinationMismatch));
    }

    [Fact]
    public void SteadyStateBursts_AllocateNothing()
    {
        using var t = WithDefaultRoute();
        t.CreateInterface("b", 100, "10.0.0.2", "2001:db8::2", 2);
        var underlayB = t.Control.GetInterface("b").Value!.UnderlayRoute.ToString();
        Assert.True(t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6")).IsOk);
        byte[][] vmFrames =
        [
            Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1, 2, new byte[18])),
            Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1, 2, new byte[18])),
            Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Tcp4("10.0.0.1", "8.8.8.8", 3, 443, 0x10, [])),
            Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv6Type, Frames.Udp6("2001:db8::1", "2001:db8:5::1", 1, 2, [])),
            Frames.ArpRequest(Vm1, "10.0.0.1", "169.254.0.1"),
        ];
        var uplinkFrame = ForwardingTests.Tunnel(underlayB, 4, Frames.Udp4("10.9.0.1", "10.0.0.2", 7, 8, []));
        foreach (var port in new[] { t.Uplink, t.Vm(1), t.Vm(2) })
        {
            port.DiscardTransmitted = true;
        }

        void Burst()
        {
            foreach (var frame in vmFrames)
            {
                t.Vm(1).Inject(frame);
            }

            t.Uplink.Inject(uplinkFrame);
            t.Engine.ProcessBurst();
        }

        for (var i = 0; i < 50; i++)
        {
            Burst();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            Burst();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(t.Engine.GetCount(PacketCounter.FastPath) >= 200, "the steady state includes fast-path trains");
        Assert.Equal(0, t.Drops(DropReason.NoRoute) + t.Drops(DropReason.Malformed));
    }

    [Fact]
    public void Meter_PublishesDropsByReason()
    {
        using var factory = new TestMeterFactory();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        long drops = -1;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Meters.Contains(instrument.Meter) && instrument.Name == "ironorleans.packetcore.drops")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason" && (string?)tag.Value == nameof(DropReason.ArpNotForGateway))
                {
                    drops = value;
                }
            }
        });
        listener.Start();
        var options = new PacketCoreOptions
        {
            HostUnderlayAddress = TestEngine.HostUnderlay,
            Uplink = new PacketPortOptions { Name = "uplink", Mac = TestEngine.UplinkMac },
            FlowCapacity = 64,
        };
        options.VmPorts.Add(new PacketPortOptions { Name = "vm", Mac = TestEngine.PortMacs[0] });
        using var engine = new PacketCoreEngine(options, meterFactory: factory);
        Assert.True(((Io.InMemoryPort)engine.Ports[1]).Inject(Frames.ArpRequest(Vm1, "10.0.0.1", "10.0.0.9")));
        engine.ProcessBurst();
        listener.RecordObservableInstruments();
        Assert.Equal(1, drops);
    }

    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public List<System.Diagnostics.Metrics.Meter> Meters { get; } = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
            {
                meter.Dispose();
            }
        }
    }
}
