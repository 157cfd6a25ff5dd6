using System.Buffers.Binary;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;

namespace IronOrleans.PacketCore.Tests;

public sealed class ResponderTests
{
    private const string VmMac = "52:54:00:00:00:01";

    [Fact]
    public void ArpRequestForGateway_GetsReplyWithPortMac()
    {
        using var t = new TestEngine();
        t.Send(t.Vm(1), Frames.ArpRequest(VmMac, "10.0.0.1", "169.254.0.1"));
        var reply = TestEngine.TakeOne(t.Vm(1));

        var expectedArp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(expectedArp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(expectedArp.AsSpan(2), 0x0800);
        expectedArp[4] = 6;
        expectedArp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(expectedArp.AsSpan(6), 2);
        Frames.Mac(TestEngine.PortMacs[0]).CopyTo(expectedArp, 8);
        Frames.Ip("169.254.0.1").CopyTo(expectedArp, 14);
        Frames.Mac(VmMac).CopyTo(expectedArp, 18);
        Frames.Ip("10.0.0.1").CopyTo(expectedArp, 24);
        Assert.Equal(Frames.Ethernet(VmMac, TestEngine.PortMacs[0], Frames.ArpType, expectedArp), reply);
    }

    [Fact]
    public void ArpForOtherAddress_IsDroppedAndCounted()
    {
        using var t = new TestEngine();
        t.Send(t.Vm(1), Frames.ArpRequest(VmMac, "10.0.0.1", "10.0.0.2"));
        t.AssertNothingSent();
        Assert.Equal(1, t.Drops(DropReason.ArpNotForGateway));
    }

    [Fact]
    public void DhcpDiscover_GetsOffer_AndRequest_GetsAck_WithReferenceOptions()
    {
        using var t = new TestEngine(o => o.DhcpMtu = 1450);
        t.CreateInterface("a", 100, "10.0.0.5", null, 1, hostname: "vm-a");

        t.Send(t.Vm(1), DhcpFrame(1));
        var offer = TestEngine.TakeOne(t.Vm(1));
        var ack = Exchange(t, 3);

        foreach (var (frame, type) in new[] { (offer, (byte)2), (ack, (byte)5) })
        {
            var ip = frame.AsSpan(14);
            Assert.True(Frames.Ipv4HeaderValid(ip));
            Assert.True(Frames.L4ChecksumValid4(ip));
            Assert.Equal(Frames.Ip("169.254.0.1"), ip.Slice(12, 4).ToArray());
            Assert.Equal(Frames.Ip("10.0.0.5"), ip.Slice(16, 4).ToArray());
            Assert.Equal(67, BinaryPrimitives.ReadUInt16BigEndian(ip[20..]));
            Assert.Equal(68, BinaryPrimitives.ReadUInt16BigEndian(ip[22..]));
            var bootp = ip[28..];
            Assert.Equal(2, bootp[0]);
            Assert.Equal(0xCAFEBABEu, BinaryPrimitives.ReadUInt32BigEndian(bootp[4..]));
            Assert.Equal(Frames.Ip("10.0.0.5"), bootp.Slice(16, 4).ToArray());
            Assert.Equal(Frames.Mac(VmMac), bootp.Slice(28, 6).ToArray());
            var options = ParseOptions(bootp[240..]);
            Assert.Equal([type], options[53]);
            Assert.Equal(Frames.Ip("169.254.0.1"), options[54]);
            Assert.Equal(new byte[] { 255, 255, 255, 255 }, options[51]);
            Assert.Equal(new byte[] { 255, 255, 255, 255 }, options[1]);
            Assert.Equal(new byte[] { 16, 169, 254, 0, 0, 0, 0, 0, 169, 254, 0, 1 }, options[121]);
            Assert.Equal(new byte[] { 0x05, 0xAA }, options[26]);
            Assert.Equal(Frames.Ip("8.8.8.8"), options[6]);
            Assert.Equal("vm-a"u8.ToArray(), options[12]);
            Assert.False(options.ContainsKey(3));
            Assert.Equal(Frames.Mac(VmMac), frame.AsSpan(0, 6).ToArray());
        }
    }

    [Fact]
    public void DhcpFromIpxeClient_GetsHttpBootFile_RouterOption_AndBroadcast()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.5", null, 1, pxe: new PxeConfig("10.9.9.9", "/boot.ipxe"));
        t.Send(t.Vm(1), DhcpFrame(1, userClass: "iPXE"));
        var offer = TestEngine.TakeOne(t.Vm(1));
        Assert.Equal(Frames.Mac("ff:ff:ff:ff:ff:ff"), offer.AsSpan(0, 6).ToArray());
        var bootp = offer.AsSpan(14 + 28);
        Assert.StartsWith("http://10.9.9.9/boot.ipxe", System.Text.Encoding.ASCII.GetString(bootp.Slice(108, 128)));
        Assert.Equal(Frames.Ip("169.254.0.1"), ParseOptions(bootp[240..])[3]);

        t.Send(t.Vm(1), DhcpFrame(1, vendorClass: "PXEClient:Arch:00007:UNDI:003016"));
        var tftp = TestEngine.TakeOne(t.Vm(1)).AsSpan(14 + 28);
        Assert.StartsWith("ipxe/x86_64/ipxe.new", System.Text.Encoding.ASCII.GetString(tftp.Slice(108, 128)));
        Assert.Equal(Frames.Ip("10.9.9.9"), tftp.Slice(20, 4).ToArray());
    }

    [Fact]
    public void DhcpWithoutInterfaceIpv4_IsNotAnswered()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, null, "2001:db8::5", 1);
        t.Send(t.Vm(1), DhcpFrame(1));
        t.AssertNothingSent();
        Assert.Equal(1, t.Drops(DropReason.DhcpIgnored));
    }

    [Fact]
    public void NeighborSolicitationForGateway_GetsRouterAdvertisementFlags()
    {
        using var t = new TestEngine();
        var ns = new byte[28];
        Frames.Ip("fe80::1").CopyTo(ns, 4);
        ns[20] = 1;
        ns[21] = 1;
        Frames.Mac(VmMac).CopyTo(ns, 22);
        t.Send(t.Vm(1), Frames.Ethernet("33:33:ff:00:00:01", VmMac, Frames.Ipv6Type, Frames.Icmpv6("fe80::5054:ff:fe00:1", "ff02::1:ff00:1", 135, 0, ns)));
        var na = TestEngine.TakeOne(t.Vm(1));
        Assert.Equal(Frames.Mac(VmMac), na.AsSpan(0, 6).ToArray());
        var ip = na.AsSpan(14);
        Assert.True(Frames.L4ChecksumValid6(ip));
        Assert.Equal(255, ip[7]);
        Assert.Equal(Frames.Ip("fe80::1"), ip.Slice(8, 16).ToArray());
        Assert.Equal(Frames.Ip("fe80::5054:ff:fe00:1"), ip.Slice(24, 16).ToArray());
        var icmp = ip[40..];
        Assert.Equal(136, icmp[0]);
        Assert.Equal(0xE0000000u, BinaryPrimitives.ReadUInt32BigEndian(icmp[4..]));
        Assert.Equal(Frames.Ip("fe80::1"), icmp.Slice(8, 16).ToArray());
        Assert.Equal(new byte[] { 2, 1 }, icmp.Slice(24, 2).ToArray());
        Assert.Equal(Frames.Mac(TestEngine.PortMacs[0]), icmp.Slice(26, 6).ToArray());
    }

    [Fact]
    public void NeighborSolicitationForOtherTarget_IsDropped()
    {
        using var t = new TestEngine();
        var ns = new byte[20];
        Frames.Ip("fe80::99").CopyTo(ns, 4);
        t.Send(t.Vm(1), Frames.Ethernet("33:33:ff:00:00:99", VmMac, Frames.Ipv6Type, Frames.Icmpv6("fe80::5054:ff:fe00:1", "ff02::1:ff00:99", 135, 0, ns)));
        t.AssertNothingSent();
        Assert.Equal(1, t.Drops(DropReason.NeighborDiscoveryIgnored));
    }

    [Fact]
    public void RouterSolicitation_GetsManagedRouterAdvertisement()
    {
        using var t = new TestEngine();
        t.Send(t.Vm(1), Frames.Ethernet("33:33:00:00:00:02", VmMac, Frames.Ipv6Type, Frames.Icmpv6("fe80::5054:ff:fe00:1", "ff02::2", 133, 0, new byte[4])));
        var ra = TestEngine.TakeOne(t.Vm(1)).AsSpan(14);
        Assert.True(Frames.L4ChecksumValid6(ra));
        Assert.Equal(Frames.Ip("fe80::1"), ra.Slice(8, 16).ToArray());
        var icmp = ra[40..];
        Assert.Equal(134, icmp[0]);
        Assert.Equal(255, icmp[4]);
        Assert.Equal(0xC0, icmp[5]);
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]));
        Assert.Equal(new byte[] { 1, 1 }, icmp.Slice(16, 2).ToArray());
        Assert.Equal(Frames.Mac(TestEngine.PortMacs[0]), icmp.Slice(18, 6).ToArray());
    }

    [Fact]
    public void Dhcpv6Solicit_GetsAdvertiseWithIaNaDnsAndServerId()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.5", "2001:db8::5", 1);
        t.Send(t.Vm(1), Dhcpv6Frame(1));
        var advertise = TestEngine.TakeOne(t.Vm(1)).AsSpan(14);
        Assert.True(Frames.L4ChecksumValid6(advertise));
        Assert.Equal(Frames.Ip("fe80::1"), advertise.Slice(8, 16).ToArray());
        Assert.Equal(547, BinaryPrimitives.ReadUInt16BigEndian(advertise[40..]));
        Assert.Equal(546, BinaryPrimitives.ReadUInt16BigEndian(advertise[42..]));
        var message = advertise[48..];
        Assert.Equal(2, message[0]);
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56 }, message.Slice(1, 3).ToArray());
        var options = ParseOptions6(message[4..]);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0xAA, 0xBB }, options[1]);
        var serverId = options[2];
        Assert.Equal(new byte[] { 0, 3, 0xAB, 0xCD }, serverId[..4]);
        Assert.Equal(Frames.Mac(TestEngine.PortMacs[0]), serverId[4..]);
        var iaNa = options[3];
        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32BigEndian(iaNa));
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(iaNa.AsSpan(4)));
        Assert.Equal(5, BinaryPrimitives.ReadUInt16BigEndian(iaNa.AsSpan(12)));
        Assert.Equal(Frames.Ip("2001:db8::5"), iaNa.AsSpan(16, 16).ToArray());
        Assert.Equal(Frames.Ip("2001:4860:4860::8888"), options[23]);

        t.Send(t.Vm(1), Dhcpv6Frame(3));
        Assert.Equal(7, TestEngine.TakeOne(t.Vm(1))[14 + 48]);
    }

    [Fact]
    public void Dhcpv6Solicit_WithoutInterfaceIpv6_GetsNoAddrsAvail()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.5", null, 1);
        t.Send(t.Vm(1), Dhcpv6Frame(1));
        var reply = TestEngine.TakeOne(t.Vm(1)).AsSpan(14 + 48);
        Assert.Equal(7, reply[0]);
        Assert.Equal(new byte[] { 0, 2 }, ParseOptions6(reply[4..])[13]);
        t.Send(t.Vm(1), Dhcpv6Frame(8));
        t.AssertNothingSent();
    }

    [Fact]
    public void UplinkNeighborSolicitationForObjectUnderlay_IsAnswered()
    {
        using var t = new TestEngine();
        var underlay = t.CreateInterface("a", 100, "10.0.0.5", null, 1);
        var ns = new byte[28];
        underlay.GetAddressBytes().CopyTo(ns, 4);
        ns[20] = 1;
        ns[21] = 1;
        Frames.Mac(TestEngine.RouterMac).CopyTo(ns, 22);
        t.Send(t.Uplink, Frames.Ethernet("33:33:ff:00:00:01", TestEngine.RouterMac, Frames.Ipv6Type, Frames.Icmpv6("fc00:1::fe", "ff02::1:ff00:1", 135, 0, ns)));
        var na = TestEngine.TakeOne(t.Uplink);
        Assert.Equal(Frames.Mac(TestEngine.RouterMac), na.AsSpan(0, 6).ToArray());
        var ip = na.AsSpan(14);
        Assert.True(Frames.L4ChecksumValid6(ip));
        Assert.Equal(underlay.GetAddressBytes(), ip.Slice(8, 16).ToArray());
        Assert.Equal(0x60000000u, BinaryPrimitives.ReadUInt32BigEndian(ip[44..]));
        Assert.Equal(Frames.Mac(TestEngine.UplinkMac), ip.Slice(40 + 26, 6).ToArray());

        var other = (byte[])ns.Clone();
        Frames.Ip("fc00:1::d000:0:0:99").CopyTo(other, 4);
        t.Send(t.Uplink, Frames.Ethernet("33:33:ff:00:00:99", TestEngine.RouterMac, Frames.Ipv6Type, Frames.Icmpv6("fc00:1::fe", "ff02::1:ff00:99", 135, 0, other)));
        t.AssertNothingSent();
    }

    [Fact]
    public void Uplink_ResolvesRouterMacWithNeighborDiscovery()
    {
        using var t = new TestEngine(o => o.RouterAddress = TestEngine.RouterAddress, staticRouter: false);
        Assert.Equal(0ul, t.Engine.Worker.RouterMac);
        t.Engine.ProcessBurst();
        var ns = TestEngine.TakeOne(t.Uplink).AsSpan(14);
        Assert.True(Frames.L4ChecksumValid6(ns));
        Assert.Equal(135, ns[40]);
        Assert.Equal(Frames.Ip("ff02::1:ff00:fe"), ns.Slice(24, 16).ToArray());
        Assert.Equal(Frames.Ip(TestEngine.RouterAddress), ns.Slice(48, 16).ToArray());

        var na = new byte[28];
        BinaryPrimitives.WriteUInt32BigEndian(na, 0xE0000000);
        Frames.Ip(TestEngine.RouterAddress).CopyTo(na, 4);
        na[20] = 2;
        na[21] = 1;
        Frames.Mac(TestEngine.RouterMac).CopyTo(na, 22);
        t.Send(t.Uplink, Frames.Ethernet(TestEngine.UplinkMac, TestEngine.RouterMac, Frames.Ipv6Type, Frames.Icmpv6(TestEngine.RouterAddress, TestEngine.HostUnderlay, 136, 0, na)));
        Assert.Equal(0x0200_0000_00FEul, t.Engine.Worker.RouterMac);
    }

    [Fact]
    public void PeriodicAnnouncements_SendGarpNaAndRa_ToPortsWithInterfaces()
    {
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.5", "2001:db8::5", 1);
        t.CreateInterface("b", 100, "10.0.0.6", null, 2);
        t.Engine.ProcessBurst();
        t.AssertNothingSent();
        t.Time.Advance(TimeSpan.FromSeconds(30));
        t.Engine.ProcessBurst();

        Assert.True(t.Vm(1).TryTakeTransmitted(out var garp));
        Assert.Equal(Frames.Mac("ff:ff:ff:ff:ff:ff"), garp.AsSpan(0, 6).ToArray());
        Assert.Equal(Frames.ArpType, BinaryPrimitives.ReadUInt16BigEndian(garp.AsSpan(12)));
        Assert.Equal(Frames.Ip("169.254.0.1"), garp.AsSpan(14 + 14, 4).ToArray());
        Assert.Equal(Frames.Ip("169.254.0.1"), garp.AsSpan(14 + 24, 4).ToArray());
        Assert.True(t.Vm(1).TryTakeTransmitted(out var na));
        Assert.Equal(136, na[14 + 40]);
        Assert.True(Frames.L4ChecksumValid6(na.AsSpan(14)));
        Assert.True(t.Vm(1).TryTakeTransmitted(out var ra));
        Assert.Equal(134, ra[14 + 40]);
        Assert.False(t.Vm(1).TryTakeTransmitted(out _));
        Assert.True(t.Vm(2).TryTakeTransmitted(out _));
        Assert.False(t.Vm(2).TryTakeTransmitted(out _));
        Assert.Equal(0, t.Vm(3).PendingTransmitted);
    }

    private static byte[] Exchange(TestEngine t, byte type)
    {
        t.Send(t.Vm(1), DhcpFrame(type));
        return TestEngine.TakeOne(t.Vm(1));
    }

    private static byte[] DhcpFrame(byte type, string? vendorClass = null, string? userClass = null)
    {
        var bootp = new List<byte>(new byte[240]);
        bootp[0] = 1;
        bootp[1] = 1;
        bootp[2] = 6;
        bootp[4] = 0xCA;
        bootp[5] = 0xFE;
        bootp[6] = 0xBA;
        bootp[7] = 0xBE;
        var mac = Frames.Mac(VmMac);
        for (var i = 0; i < 6; i++)
        {
            bootp[28 + i] = mac[i];
        }

        bootp[236] = 0x63;
        bootp[237] = 0x82;
        bootp[238] = 0x53;
        bootp[239] = 0x63;
        bootp.AddRange([53, 1, type]);
        if (vendorClass is not null)
        {
            bootp.Add(60);
            bootp.Add((byte)vendorClass.Length);
            bootp.AddRange(System.Text.Encoding.ASCII.GetBytes(vendorClass));
        }

        if (userClass is not null)
        {
            bootp.Add(77);
            bootp.Add((byte)userClass.Length);
            bootp.AddRange(System.Text.Encoding.ASCII.GetBytes(userClass));
        }

        bootp.Add(255);
        return Frames.Ethernet("ff:ff:ff:ff:ff:ff", VmMac, Frames.Ipv4Type, Frames.Udp4("0.0.0.0", "255.255.255.255", 68, 67, bootp.ToArray()));
    }

    private static byte[] Dhcpv6Frame(byte type)
    {
        var message = new List<byte> { type, 0x12, 0x34, 0x56 };
        message.AddRange([0, 1, 0, 6, 0, 1, 0, 1, 0xAA, 0xBB]);
        message.AddRange([0, 3, 0, 12, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
        return Frames.Ethernet("33:33:00:01:00:02", VmMac, Frames.Ipv6Type, Frames.Udp6("fe80::5054:ff:fe00:1", "ff02::1:2", 546, 547, message.ToArray()));
    }

    private static Dictionary<byte, byte[]> ParseOptions(ReadOnlySpan<byte> options)
    {
        var result = new Dictionary<byte, byte[]>();
        while (options.Length > 0 && options[0] != 255)
        {
            result[options[0]] = options.Slice(2, options[1]).ToArray();
            options = options[(2 + options[1])..];
        }

        return result;
    }

    private static Dictionary<ushort, byte[]> ParseOptions6(ReadOnlySpan<byte> options)
    {
        var result = new Dictionary<ushort, byte[]>();
        while (options.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(options[2..]);
            result[BinaryPrimitives.ReadUInt16BigEndian(options)] = options.Slice(4, length).ToArray();
            options = options[(4 + length)..];
        }

        return result;
    }
}
