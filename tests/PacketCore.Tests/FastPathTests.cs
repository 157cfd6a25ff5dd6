using System.Buffers.Binary;
using System.Net;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Io;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Tests;

/// <summary>
/// The established-flow fast path must be invisible: the same packets through an engine with the packet tracer on
/// (which keeps every packet on the general path) and one with it off (fast path) must leave byte-identical frames on
/// every port and identical counters, whatever happens between and inside the bursts.
/// </summary>
public sealed class FastPathTests : IDisposable
{
    private const string VmA = "52:54:00:00:00:01";
    private const string VmB = "52:54:00:00:00:02";
    private const string RemoteOne = "fc00:2::d000:0:0:7";
    private const string RemoteTwo = "fc00:3::d000:0:0:9";

    private readonly TestEngine _general = new();
    private readonly TestEngine _fast = new();

    public FastPathTests()
    {
        _general.Engine.Tracer.Enabled = true;
        foreach (var t in Both)
        {
            Assert.True(t.Control.CreateInterface(Interface("a", "10.0.0.1", 1, "fc00:1::8000:0:1")).IsOk);
            Assert.True(t.Control.CreateInterface(Interface("b", "10.0.0.2", 2, "fc00:1::8000:0:2")).IsOk);
            Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(RemoteOne)).IsOk);
        }
    }

    private IEnumerable<TestEngine> Both => [_general, _fast];

    public void Dispose()
    {
        _general.Dispose();
        _fast.Dispose();
    }

    [Fact]
    public void TrainsOfEstablishedFlows_LeaveTheSameBytesAsTheGeneralPath()
    {
        // The first packet of each flow creates it (general path in both engines).
        Burst(1, Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.0.0.2", 7), Tcp("10.0.0.1", "10.1.2.3", 2000, Syn));

        // Trains, interleaved flows, and packets inside a train that the fast path must leave to the general path:
        // TTL 1 (dropped), IPv4 options, a DHCP request, a SYN/FIN on an existing TCP flow, ICMP.
        Burst(1,
            Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1000, ttl: 1),
            Udp("10.0.0.1", "10.1.2.3", 1000), WithOptions(Udp("10.0.0.1", "10.1.2.3", 1000)), Udp("10.0.0.1", "10.1.2.3", 1000),
            Udp("10.0.0.1", "10.0.0.2", 7), Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.0.0.2", 7), Udp("10.0.0.1", "10.0.0.2", 7),
            Tcp("10.0.0.1", "10.1.2.3", 2000, Ack), Tcp("10.0.0.1", "10.1.2.3", 2000, Ack), Tcp("10.0.0.1", "10.1.2.3", 2000, Syn),
            Tcp("10.0.0.1", "10.1.2.3", 2000, Ack), Udp("10.0.0.1", "255.255.255.255", 67, sourcePort: 68),
            Frames.Ethernet(TestEngine.PortMacs[0], VmA, Frames.Ipv4Type, Frames.IcmpEcho4("10.0.0.1", "10.1.2.3", 8, 1, 1)),
            Udp("10.0.0.1", "10.1.2.3", 1001), Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1001),
            Tcp("10.0.0.1", "10.1.2.3", 2000, Fin | Ack), Tcp("10.0.0.1", "10.1.2.3", 2000, Ack));

        // The reply direction of the local flow, from the other VM.
        Burst(2, Udp("10.0.0.2", "10.0.0.1", 40000, sourcePort: 7, from: VmB), Udp("10.0.0.2", "10.0.0.1", 40000, sourcePort: 7, from: VmB));
        AssertSame();
        Assert.Equal(0, _general.Engine.GetCount(PacketCounter.FastPath));
        Assert.True(_fast.Engine.GetCount(PacketCounter.FastPath) >= 12, $"fast path forwarded {_fast.Engine.GetCount(PacketCounter.FastPath)}");
    }

    [Fact]
    public void ARouteChange_MovesAnEstablishedTrainToTheNewNextHop()
    {
        Burst(1, Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1000));
        foreach (var t in Both)
        {
            Assert.True(t.Control.DeleteRoute(100, IpPrefix.Parse("10.1.0.0/16")).IsOk);
            Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(RemoteTwo)).IsOk);
        }

        var sent = Burst(1, Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1000), Udp("10.0.0.1", "10.1.2.3", 1000));
        Assert.Equal(3, sent[0].Count);
        Assert.All(sent[0], frame => Assert.Equal(Frames.Ip(RemoteTwo), frame.AsSpan(14 + 24, 16).ToArray()));
        AssertSame();
    }

    [Fact]
    public void ANewVmMac_AndAnExpiredFlow_EndTheTrain()
    {
        Burst(1, Udp("10.0.0.1", "10.0.0.2", 7), Udp("10.0.0.1", "10.0.0.2", 7));

        // The target VM now sends from another MAC: the next local deliveries must carry it.
        const string moved = "52:54:00:00:00:99";
        Burst(2, Udp("10.0.0.2", "10.0.0.1", 9, sourcePort: 9, from: moved));
        var sent = Burst(1, Udp("10.0.0.1", "10.0.0.2", 7), Udp("10.0.0.1", "10.0.0.2", 7));
        Assert.All(sent[2], frame => Assert.Equal(Frames.Mac(moved), frame.AsSpan(0, 6).ToArray()));

        // Past the flow timeout the flow is gone: the next packet creates it again, in both engines alike.
        var created = _fast.Engine.GetCount(PacketCounter.FlowsCreated);
        foreach (var t in Both)
        {
            t.Time.Advance(TimeSpan.FromSeconds(31));
        }

        Burst(1, Udp("10.0.0.1", "10.0.0.2", 7), Udp("10.0.0.1", "10.0.0.2", 7));
        Assert.Equal(created + 1, _fast.Engine.GetCount(PacketCounter.FlowsCreated));
        AssertSame();
    }

    [Fact]
    public void PacketsTheGeneralPathTreatsDifferently_NeverRideATrain()
    {
        Burst(1, Udp("10.0.0.1", "10.1.2.3", 1000), Tcp("10.0.0.1", "10.1.2.3", 2000, Syn));
        var flow = Udp("10.0.0.1", "10.1.2.3", 1000);
        var tcp = Tcp("10.0.0.1", "10.1.2.3", 2000, Ack);

        // Inside trains of the same flow: Ethernet padding (the inner packet is the IP total length, not the frame), a first
        // fragment (MF set, offset 0: real ports, still a fragment), IPv4 options whose bytes are the train's ports (the packet is a new flow), a TCP
        // packet whose IP total length cuts the TCP header short, a new source MAC, TTL 1.
        var fragment = (byte[])flow.Clone();
        fragment[14 + 6] |= 0x20;
        var shortTcp = (byte[])tcp.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(shortTcp.AsSpan(14 + 2), 36);
        Burst(1,
            flow, Pad(flow, 60), flow, fragment, flow, WithOptions(Udp("10.0.0.1", "10.1.2.3", 1000, sourcePort: 5555), options: flow[(14 + 20)..(14 + 24)]), flow,
            tcp, tcp, shortTcp, tcp, Pad(tcp, 80),
            flow, Udp("10.0.0.1", "10.1.2.3", 1000, ttl: 1), flow,
            flow, Udp("10.0.0.1", "10.1.2.3", 1000, from: "52:54:00:00:00:77"), Udp("10.0.0.1", "10.1.2.3", 1000, from: "52:54:00:00:00:77"));

        // The new MAC was learned, even though its packets were in the middle of a train: b's packet to a goes to it.
        var sent = Burst(2, Udp("10.0.0.2", "10.0.0.1", 9, sourcePort: 9, from: VmB));
        Assert.Equal(Frames.Mac("52:54:00:00:00:77"), sent[1].Single().AsSpan(0, 6).ToArray());
        AssertSame();
        Assert.True(_fast.Engine.GetCount(PacketCounter.FastPath) >= 8, $"fast path forwarded {_fast.Engine.GetCount(PacketCounter.FastPath)}");
    }

    [Fact]
    public void RepliesToFlowsFromTheUplink_RideTrains_AndATcpHandshakeEstablishes()
    {
        // A remote host opens UDP and TCP toward VM a; a's replies are the reply direction of flows made on the uplink.
        _ = Tunnel("fc00:1::8000:0:1", Frames.Udp4("10.1.2.3", "10.0.0.1", 53, 40000, "q"u8));
        Burst(1, Udp("10.0.0.1", "10.1.2.3", 53), Udp("10.0.0.1", "10.1.2.3", 53), Udp("10.0.0.1", "10.1.2.3", 53));

        // TCP from a: SYN, the SYN-ACK through the tunnel, then an ACK train. Past the 30 s default timeout the flow must
        // still be there (established: 24 h) in both engines, which it is only if the train tracked the TCP state.
        Burst(1, Tcp("10.0.0.1", "10.1.2.3", 443, Syn));
        _ = Tunnel("fc00:1::8000:0:1", Frames.Tcp4("10.1.2.3", "10.0.0.1", 443, 40000, Syn | Ack, []));
        Burst(1, Tcp("10.0.0.1", "10.1.2.3", 443, Ack), Tcp("10.0.0.1", "10.1.2.3", 443, Ack), Tcp("10.0.0.1", "10.1.2.3", 443, Ack));
        foreach (var t in Both)
        {
            t.Time.Advance(TimeSpan.FromSeconds(31));
        }

        var created = _fast.Engine.GetCount(PacketCounter.FlowsCreated);
        Burst(1, Tcp("10.0.0.1", "10.1.2.3", 443, Ack), Tcp("10.0.0.1", "10.1.2.3", 443, Ack));
        Assert.Equal(created, _fast.Engine.GetCount(PacketCounter.FlowsCreated));
        AssertSame();
        Assert.True(_fast.Engine.GetCount(PacketCounter.FastPath) >= 6, $"fast path forwarded {_fast.Engine.GetCount(PacketCounter.FastPath)}");
    }

    [Fact]
    public void DhcpToAPortOfAnExistingFlow_GoesToTheResponder()
    {
        // The uplink makes a flow remote:67 -> a:68; a's packet 68 -> 67 matches its reply key, yet it is DHCP.
        _ = Tunnel("fc00:1::8000:0:1", Frames.Udp4("10.1.2.3", "10.0.0.1", 67, 68, "x"u8));
        Burst(1, Udp("10.0.0.1", "10.1.2.3", 67, sourcePort: 68), Udp("10.0.0.1", "10.1.2.3", 67, sourcePort: 68));
        AssertSame();
    }

    [Fact]
    public void NatFlows_TakeTheGeneralPath()
    {
        foreach (var t in Both)
        {
            Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("0.0.0.0/0"), 100, IPAddress.Parse(RemoteOne)).IsOk);
            Assert.True(t.Control.CreateVip("a", IPAddress.Parse("45.86.6.6"), IPAddress.Parse("fc00:1::8000:0:9")).IsOk);
        }

        // SNAT: a to the internet, several packets of one flow.
        Burst(1, Udp("10.0.0.1", "8.8.8.8", 53), Udp("10.0.0.1", "8.8.8.8", 53), Udp("10.0.0.1", "8.8.8.8", 53));

        // DNAT: the internet to a's VIP, then a's replies (source rewritten back to the VIP).
        _ = Tunnel("fc00:1::8000:0:9", Frames.Udp4("1.2.3.4", "45.86.6.6", 999, 7000, "q"u8));
        Burst(1, Udp("10.0.0.1", "1.2.3.4", 999, sourcePort: 7000), Udp("10.0.0.1", "1.2.3.4", 999, sourcePort: 7000));
        AssertSame();
        Assert.Equal(0, _fast.Engine.GetCount(PacketCounter.FastPath));
        Assert.True(_fast.Engine.GetCount(PacketCounter.SourceNat) >= 5);
    }

    [Fact]
    public void LocalFlows_KeepTheirEntryWhenTheDirectionChanges()
    {
        // a -> b, b -> a, a -> b ...: one flow from the first packet on (the other VM's NAT epoch is not this flow's).
        var created = _fast.Engine.GetCount(PacketCounter.FlowsCreated);
        for (var i = 0; i < 3; i++)
        {
            Burst(1, Udp("10.0.0.1", "10.0.0.2", 7), Udp("10.0.0.1", "10.0.0.2", 7));
            Burst(2, Udp("10.0.0.2", "10.0.0.1", 40000, sourcePort: 7, from: VmB), Udp("10.0.0.2", "10.0.0.1", 40000, sourcePort: 7, from: VmB));
        }

        Assert.Equal(created + 1, _fast.Engine.GetCount(PacketCounter.FlowsCreated));
        AssertSame();
    }

    private const byte Syn = 0x02;
    private const byte Ack = 0x10;
    private const byte Fin = 0x01;

    private static CreateInterfaceRequest Interface(string id, string ipv4, int port, string underlay) => new()
    {
        InterfaceId = id,
        Vni = 100,
        Ipv4 = IPAddress.Parse(ipv4),
        DeviceName = $"net_tap{port}",
        PreferredUnderlayRoute = IPAddress.Parse(underlay),
    };

    private static byte[] Udp(string source, string destination, ushort destinationPort, ushort sourcePort = 40000, byte ttl = 64, string from = VmA)
        => Frames.Ethernet(TestEngine.PortMacs[0], from, Frames.Ipv4Type, Frames.Udp4(source, destination, sourcePort, destinationPort, "payload"u8, ttl));

    private static byte[] Tcp(string source, string destination, ushort destinationPort, byte flags)
        => Frames.Ethernet(TestEngine.PortMacs[0], VmA, Frames.Ipv4Type, Frames.Tcp4(source, destination, 40000, destinationPort, flags, "data"u8));

    /// <summary>
    /// The same frame with a 4-byte IPv4 options field after the fixed header: four NOPs, or the given bytes (to catch a
    /// fast path that reads the ports at a fixed offset, give it another flow's port bytes).
    /// </summary>
    private static byte[] WithOptions(byte[] frame, byte[]? options = null)
    {
        var result = new byte[frame.Length + 4];
        frame.AsSpan(0, 14 + 20).CopyTo(result);
        if (options is not null)
        {
            options.AsSpan(0, 4).CopyTo(result.AsSpan(14 + 20));
        }
        else
        {
            result.AsSpan(14 + 20, 4).Fill(1);
        }

        frame.AsSpan(14 + 20).CopyTo(result.AsSpan(14 + 24));
        result[14] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(14 + 2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 2)) + 4));
        return result;
    }

    /// <summary>The frame with zero bytes appended up to <paramref name="length"/> (Ethernet padding).</summary>
    private static byte[] Pad(byte[] frame, int length)
    {
        var result = new byte[Math.Max(length, frame.Length)];
        frame.CopyTo(result, 0);
        return result;
    }

    /// <summary>Sends one IP-in-IPv6 packet from the uplink to <paramref name="underlay"/> in both engines.</summary>
    private List<byte[]>[] Tunnel(string underlay, byte[] inner) => Send(t => t.Uplink, ForwardingTests.Tunnel(underlay, 4, inner, RemoteOne));

    /// <summary>Sends one burst from VM port <paramref name="port"/> into both engines; returns what the fast engine sent per port.</summary>
    private List<byte[]>[] Burst(int port, params byte[][] frames) => Send(t => t.Vm(port), frames);

    /// <summary>Injects the frames into the port <paramref name="of"/> picks in each engine and runs one burst there.</summary>
    private List<byte[]>[] Send(Func<TestEngine, InMemoryPort> of, params byte[][] frames)
    {
        List<byte[]>[]? fastSent = null;
        foreach (var t in Both)
        {
            foreach (var frame in frames)
            {
                Assert.True(of(t).Inject(frame));
            }

            t.Engine.ProcessBurst();
            var sent = Drain(t);
            if (t == _fast)
            {
                fastSent = sent;
            }
            else
            {
                _generalSent.Add(sent);
            }
        }

        _fastSent.Add(fastSent!);
        return fastSent!;
    }

    private readonly List<List<byte[]>[]> _generalSent = [];
    private readonly List<List<byte[]>[]> _fastSent = [];

    private static List<byte[]>[] Drain(TestEngine t)
    {
        var sent = new List<byte[]>[t.Engine.Ports.Count];
        for (var port = 0; port < sent.Length; port++)
        {
            sent[port] = [];
            var bounded = 0;
            while (bounded++ < 1000 && ((InMemoryPort)t.Engine.Ports[port]).TryTakeTransmitted(out var frame))
            {
                sent[port].Add(frame);
            }
        }

        return sent;
    }

    private void AssertSame()
    {
        Assert.Equal(_generalSent.Count, _fastSent.Count);
        for (var burst = 0; burst < _generalSent.Count; burst++)
        {
            for (var port = 0; port < _generalSent[burst].Length; port++)
            {
                var expected = _generalSent[burst][port].Select(Convert.ToHexString).ToArray();
                var actual = _fastSent[burst][port].Select(Convert.ToHexString).ToArray();
                Assert.True(expected.SequenceEqual(actual), $"burst {burst}, port {port}: general path sent\n{string.Join('\n', expected)}\nfast path sent\n{string.Join('\n', actual)}");
            }
        }

        foreach (var counter in Enum.GetValues<PacketCounter>().Where(c => c != PacketCounter.FastPath))
        {
            Assert.True(_general.Engine.GetCount(counter) == _fast.Engine.GetCount(counter),
                $"{counter}: general {_general.Engine.GetCount(counter)}, fast {_fast.Engine.GetCount(counter)}");
        }

        foreach (var reason in Enum.GetValues<DropReason>())
        {
            Assert.True(_general.Engine.GetDropCount(reason) == _fast.Engine.GetDropCount(reason),
                $"{reason}: general {_general.Engine.GetDropCount(reason)}, fast {_fast.Engine.GetDropCount(reason)}");
        }

        Assert.Equal(_general.Engine.Worker.FlowCount, _fast.Engine.Worker.FlowCount);
        var generalFlows = _general.Engine.Worker.Flows;
        var fastFlows = _fast.Engine.Worker.Flows;
        for (var i = 0; i < generalFlows.Capacity; i++)
        {
            ref var g = ref generalFlows.Entry(i);
            ref var f = ref fastFlows.Entry(i);
            Assert.True(g.InUse == f.InUse, $"flow {i}: in use {g.InUse} vs {f.InUse}");
            if (g.InUse)
            {
                Assert.True(
                    FlowKey.Same(in g.Original, in f.Original) && FlowKey.Same(in g.Reply, in f.Reply) && g.TcpState == f.TcpState
                        && g.LastSeen == f.LastSeen && g.Flags == f.Flags && g.OriginalVersion == f.OriginalVersion
                        && g.ReplyVersion == f.ReplyVersion && g.NatEpoch == f.NatEpoch && g.NatPort == f.NatPort,
                    $"flow {i} differs: general {g.TcpState}/{g.LastSeen}/{g.Flags}/{g.OriginalVersion}/{g.ReplyVersion}, "
                        + $"fast {f.TcpState}/{f.LastSeen}/{f.Flags}/{f.OriginalVersion}/{f.ReplyVersion}");
            }
        }
    }
}
