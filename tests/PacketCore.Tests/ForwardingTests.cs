using System.Buffers.Binary;
using System.Net;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Tests;

public sealed class ForwardingTests
{
    private const string Vm1 = "52:54:00:00:00:01";
    private const string Vm2 = "52:54:00:00:00:02";
    private const string RemoteUnderlay = "fc00:2::d000:0:0:7";

    [Fact]
    public void Lpm4_PicksLongestMatch()
    {
        var lpm = new Lpm4(
        [
            (0u, 0, new RouteTarget(RouteKind.External, 0, 0, 1, 1)),
            (0x0A000000, 8, new RouteTarget(RouteKind.External, 8, 0, 1, 2)),
            (0x0A010000, 16, new RouteTarget(RouteKind.External, 16, 0, 1, 3)),
            (0x0A010203, 32, new RouteTarget(RouteKind.Local, 32, 4, 0, 0)),
        ]);
        Assert.True(lpm.TryLookup(0x0A010203, out var hit));
        Assert.Equal(RouteKind.Local, hit.Kind);
        Assert.True(lpm.TryLookup(0x0A010204, out hit));
        Assert.Equal((UInt128)3, hit.NextHop);
        Assert.True(lpm.TryLookup(0x0A020000, out hit));
        Assert.Equal((UInt128)2, hit.NextHop);
        Assert.True(lpm.TryLookup(0x08080808, out hit));
        Assert.True(hit.IsDefaultRoute);
        Assert.False(Lpm4.Empty.TryLookup(1, out _));
    }

    [Fact]
    public void Lpm6_PicksLongestMatch()
    {
        var prefix = AddressConversions.ToUInt128(IPAddress.Parse("2001:db8::"));
        var lpm = new Lpm6(
        [
            (prefix, 32, new RouteTarget(RouteKind.External, 32, 0, 1, 32)),
            (prefix | 0x10000, 112, new RouteTarget(RouteKind.External, 112, 0, 1, 112)),
        ]);
        Assert.True(lpm.TryLookup(prefix | 0x10005, out var hit));
        Assert.Equal((UInt128)112, hit.NextHop);
        Assert.True(lpm.TryLookup(prefix | 0x20005, out hit));
        Assert.Equal((UInt128)32, hit.NextHop);
        Assert.False(lpm.TryLookup(AddressConversions.ToUInt128(IPAddress.Parse("2001:db9::1")), out _));
    }

    [Fact]
    public void VmToVm_SameVni_IsDeliveredLocally_WithTtlDecremented()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        t.CreateInterface("b", 100, "10.0.0.2", "2001:db8::2", 2);
        t.Send(t.Vm(2), Frames.ArpRequest(Vm2, "10.0.0.2", "169.254.0.1"));
        _ = TestEngine.TakeOne(t.Vm(2));

        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1000, 2000, "hello"u8)));
        var delivered = TestEngine.TakeOne(t.Vm(2));
        Assert.Equal(Frames.Mac(Vm2), delivered.AsSpan(0, 6).ToArray());
        Assert.Equal(Frames.Mac(TestEngine.PortMacs[1]), delivered.AsSpan(6, 6).ToArray());
        var ip = delivered.AsSpan(14);
        Assert.Equal(63, ip[8]);
        Assert.True(Frames.Ipv4HeaderValid(ip));
        Assert.True(Frames.L4ChecksumValid4(ip));

        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv6Type, Frames.Tcp6("2001:db8::1", "2001:db8::2", 1000, 80, 0x02, [])));
        var v6 = TestEngine.TakeOne(t.Vm(2)).AsSpan(14);
        Assert.Equal(63, v6[7]);
        Assert.True(Frames.L4ChecksumValid6(v6));
        Assert.Equal(1, t.Engine.GetCount(PacketCounter.LocalDelivered) - 1);
    }

    [Fact]
    public void UnknownVmMac_IsSentToBroadcastUntilLearned()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        t.CreateInterface("b", 100, "10.0.0.2", null, 2);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1, 2, [])));
        Assert.Equal(Frames.Mac("ff:ff:ff:ff:ff:ff"), TestEngine.TakeOne(t.Vm(2)).AsSpan(0, 6).ToArray());
    }

    [Fact]
    public void CrossVni_WithoutRoute_IsDroppedAndCounted()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        t.CreateInterface("b", 200, "10.0.0.2", "2001:db8::2", 2);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1000, 2000, [])));
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv6Type, Frames.Udp6("2001:db8::1", "2001:db8::2", 1000, 2000, [])));
        t.AssertNothingSent();
        Assert.Equal(2, t.Drops(DropReason.NoRoute));
    }

    [Fact]
    public void VmToRemote_IsEncapsulated_WithReferenceOuterHeader()
    {
        using var t = new TestEngine();
        var underlay = t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(RemoteUnderlay)).IsOk);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("2001:db8:1::/48"), 100, IPAddress.Parse(RemoteUnderlay)).IsOk);

        var inner = Frames.Tcp4("10.0.0.1", "10.1.2.3", 40000, 443, 0x02, []);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, inner));
        var frame = TestEngine.TakeOne(t.Uplink);
        Assert.Equal(14 + 40 + inner.Length, frame.Length);
        Assert.Equal(Frames.Mac(TestEngine.RouterMac), frame.AsSpan(0, 6).ToArray());
        Assert.Equal(Frames.Mac(TestEngine.UplinkMac), frame.AsSpan(6, 6).ToArray());
        Assert.Equal(Frames.Ipv6Type, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
        var outer = frame.AsSpan(14);
        Assert.Equal(0x60000000u, BinaryPrimitives.ReadUInt32BigEndian(outer));
        Assert.Equal(inner.Length, BinaryPrimitives.ReadUInt16BigEndian(outer[4..]));
        Assert.Equal(4, outer[6]);
        Assert.Equal(64, outer[7]);
        Assert.Equal(underlay.GetAddressBytes(), outer.Slice(8, 16).ToArray());
        Assert.Equal(Frames.Ip(RemoteUnderlay), outer.Slice(24, 16).ToArray());
        var innerOut = outer[40..];
        Assert.Equal(63, innerOut[8]);
        Assert.True(Frames.Ipv4HeaderValid(innerOut));
        Assert.True(Frames.L4ChecksumValid4(innerOut));

        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv6Type, Frames.Udp6("2001:db8::1", "2001:db8:1::9", 5, 6, "x"u8)));
        var v6 = TestEngine.TakeOne(t.Uplink).AsSpan(14);
        Assert.Equal(41, v6[6]);
        Assert.Equal(63, v6[40 + 7]);
        Assert.True(Frames.L4ChecksumValid6(v6[40..]));
    }

    [Fact]
    public void RouteChanges_AfterInterfaceChanges_SeeTheCurrentInterfaces()
    {
        // Route changes reuse the interface side of the last snapshot; interface changes must still show through them.
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        var underlayB = t.CreateInterface("b", 100, "10.0.0.2", null, 2);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(RemoteUnderlay)).IsOk);
        Assert.True(t.Control.DeleteInterface("b").IsOk);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.2.0.0/16"), 100, IPAddress.Parse(RemoteUnderlay)).IsOk);

        t.Send(t.Uplink, Tunnel(underlayB.ToString(), 4, Frames.Udp4("10.1.2.3", "10.0.0.2", 53, 4000, [])));
        t.AssertNothingSent();
        Assert.Equal(1, t.Drops(DropReason.UnknownUnderlay));

        var underlayC = t.CreateInterface("c", 100, "10.0.0.3", null, 2);
        Assert.True(t.Control.DeleteRoute(100, IpPrefix.Parse("10.1.0.0/16")).IsOk);
        var inner = Frames.Udp4("10.1.2.3", "10.0.0.3", 53, 4000, "c"u8);
        t.Send(t.Uplink, Tunnel(underlayC.ToString(), 4, inner));
        Assert.Equal(inner, TestEngine.TakeOne(t.Vm(2)).AsSpan(14).ToArray());

        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.2.0.9", 1, 2, [])));
        Assert.Equal(Frames.Ip(RemoteUnderlay), TestEngine.TakeOne(t.Uplink).AsSpan(14 + 24, 16).ToArray());
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.1.0.9", 1, 2, [])));
        t.AssertNothingSent();
    }

    [Fact]
    public void Encapsulation_WithoutRouterMac_IsDroppedAndCounted()
    {
        using var t = new TestEngine(staticRouter: false);
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("0.0.0.0/0"), 100, IPAddress.Parse(RemoteUnderlay)).IsOk);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "1.1.1.1", 1, 2, [])));
        Assert.Equal(1, t.Drops(DropReason.RouterUnresolved));
    }

    [Fact]
    public void UplinkTunnel_IsDecapsulatedToTheOwningVm()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        var underlayB = t.CreateInterface("b", 100, "10.0.0.2", "2001:db8::2", 2);
        t.Send(t.Vm(2), Frames.ArpRequest(Vm2, "10.0.0.2", "169.254.0.1"));
        _ = TestEngine.TakeOne(t.Vm(2));

        var inner = Frames.Udp4("10.1.2.3", "10.0.0.2", 53, 4000, "data"u8);
        t.Send(t.Uplink, Tunnel(underlayB.ToString(), 4, inner));
        var delivered = TestEngine.TakeOne(t.Vm(2));
        Assert.Equal(Frames.Ethernet(Vm2, TestEngine.PortMacs[1], Frames.Ipv4Type, inner), delivered);

        var inner6 = Frames.Udp6("2001:db8:1::9", "2001:db8::2", 53, 4000, "data"u8);
        t.Send(t.Uplink, Tunnel(underlayB.ToString(), 41, inner6));
        Assert.Equal(Frames.Ethernet(Vm2, TestEngine.PortMacs[1], Frames.Ipv6Type, inner6), TestEngine.TakeOne(t.Vm(2)));
        Assert.Equal(0, t.Vm(1).PendingTransmitted);
    }

    [Fact]
    public void UplinkTunnel_ToForeignInnerAddressOrUnknownUnderlay_IsDropped()
    {
        using var t = new TestEngine();
        var underlayA = t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        t.CreateInterface("b", 200, "10.0.0.2", null, 2);
        t.Send(t.Uplink, Tunnel(underlayA.ToString(), 4, Frames.Udp4("10.1.2.3", "10.0.0.2", 53, 4000, [])));
        t.Send(t.Uplink, Tunnel("fc00:1::d000:0:0:4242", 4, Frames.Udp4("10.1.2.3", "10.0.0.1", 53, 4000, [])));
        t.Send(t.Uplink, Frames.Ethernet(TestEngine.UplinkMac, TestEngine.RouterMac, Frames.Ipv4Type, Frames.Udp4("10.1.2.3", "10.0.0.1", 53, 4000, [])));
        t.AssertNothingSent();
        Assert.Equal(1, t.Drops(DropReason.InnerDestinationMismatch));
        Assert.Equal(1, t.Drops(DropReason.UnknownUnderlay));
        Assert.Equal(1, t.Drops(DropReason.Ipv4OnUplink));
    }

    [Fact]
    public void AliasPrefix_IsRoutedToItsVm_AndDecapsulatedByItsOwnUnderlay()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        t.CreateInterface("b", 100, "10.0.0.2", null, 2);
        var prefixUnderlay = t.Control.CreatePrefix("b", IpPrefix.Parse("10.7.0.0/24")).Value!;
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.7.0.9", 1, 2, [])));
        _ = TestEngine.TakeOne(t.Vm(2));
        t.Send(t.Uplink, Tunnel(prefixUnderlay.ToString(), 4, Frames.Udp4("10.1.2.3", "10.7.0.77", 1, 2, [])));
        _ = TestEngine.TakeOne(t.Vm(2));
        t.Send(t.Uplink, Tunnel(prefixUnderlay.ToString(), 4, Frames.Udp4("10.1.2.3", "10.8.0.77", 1, 2, [])));
        t.AssertNothingSent();
    }

    [Fact]
    public void TtlOfOne_IsDroppedAsExceeded()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        t.CreateInterface("b", 100, "10.0.0.2", "2001:db8::2", 2);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1, 2, [], ttl: 1)));
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv6Type, Frames.Udp6("2001:db8::1", "2001:db8::2", 1, 2, [], hopLimit: 1)));
        t.AssertNothingSent();
        Assert.Equal(2, t.Drops(DropReason.TtlExceeded));
    }

    [Fact]
    public void MalformedAndUnsupported_AreCountedNeverThrown()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        var good = Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.0.0.2", 1, 2, []));
        t.Send(t.Vm(1), good.AsSpan(0, 20).ToArray());
        t.Send(t.Vm(1), new byte[6]);
        var sctp = Frames.Ethernet(TestEngine.PortMacs[0], Vm1, Frames.Ipv4Type, Frames.Ipv4("10.0.0.1", "10.0.0.2", 132, new byte[12]));
        t.Send(t.Vm(1), sctp);
        t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], Vm1, 0x88CC, new byte[30]));
        t.AssertNothingSent();
        Assert.Equal(2, t.Drops(DropReason.Malformed));
        Assert.Equal(1, t.Drops(DropReason.UnsupportedProtocol));
        Assert.Equal(1, t.Drops(DropReason.UnsupportedEtherType));
    }

    [Fact]
    public void Tracer_RecordsPacketsWhenEnabled()
    {
        using var t = new TestEngine();
        t.Send(t.Vm(1), Frames.ArpRequest(Vm1, "10.0.0.1", "10.0.0.9"));
        Assert.Empty(t.Engine.Tracer.Read());
        t.Engine.Tracer.Enabled = true;
        t.Send(t.Vm(1), Frames.ArpRequest(Vm1, "10.0.0.1", "10.0.0.9"));
        var record = Assert.Single(t.Engine.Tracer.Read());
        Assert.Equal(1, record.InPort);
        Assert.Equal(-1, record.OutPort);
        Assert.Equal(DropReason.ArpNotForGateway, record.Drop);
    }

    internal static byte[] Tunnel(string destination, byte nextHeader, byte[] inner, string source = RemoteUnderlay) =>
        Frames.Ethernet(TestEngine.UplinkMac, TestEngine.RouterMac, Frames.Ipv6Type, Frames.Ipv6(source, destination, nextHeader, inner));
}
