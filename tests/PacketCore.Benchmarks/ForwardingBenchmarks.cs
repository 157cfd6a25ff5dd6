using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Io;

namespace IronOrleans.PacketCore.Benchmarks;

/// <summary>
/// Packets per second on one core with 64-byte frames over established flows. Every scenario drives the real engine
/// burst loop (<see cref="PacketCoreEngine.ProcessBurst"/>) with an in-memory port that endlessly produces the same
/// frame (copied into the slot, as a NIC would DMA it) and a sink port that only counts; one operation = one packet.
/// The baseline does the same receive/transmit with a trivial "swap MACs and send back" in between.
/// </summary>
public class ForwardingBenchmarks
{
    public const int Burst = 64;

    /// <summary>Flows in the "no trains" encapsulation scenario: consecutive packets never belong to the same flow.</summary>
    public const int ManyFlows = 1024;

    private const string Vm1Mac = "52:54:00:00:00:01";
    private const string Vm2Mac = "52:54:00:00:00:02";
    private const string RemoteUnderlay = "fc00:2::d000:0:0:7";

    private PacketCoreEngine _local = null!;
    private PacketCoreEngine _encap = null!;
    private PacketCoreEngine _encapMany = null!;
    private PacketCoreEngine _decap = null!;
    private InMemoryPort _baselinePort = null!;
    private FrameBatch _baselineBatch = null!;
    private ushort[] _baselineSlots = null!;

    [GlobalSetup]
    public void Setup()
    {
        // (a) VM → VM on one host.
        _local = CreateEngine();
        ConfigureTwoVms(_local);
        Generate(_local, 1, Ethernet("02:00:00:00:01:01", Vm1Mac, 0x0800, Udp4("10.0.0.1", "10.0.0.2", 64 - 14)));

        // (b) VM → remote with IP-in-IPv6 encapsulation.
        _encap = CreateEngine();
        ConfigureTwoVms(_encap);
        Check(_encap.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(RemoteUnderlay)));
        Generate(_encap, 1, Ethernet("02:00:00:00:01:01", Vm1Mac, 0x0800, Udp4("10.0.0.1", "10.1.0.5", 64 - 14)));

        // (b) again, but every packet of a burst belongs to another of 1,024 established flows (no trains to ride on).
        _encapMany = CreateEngine();
        ConfigureTwoVms(_encapMany);
        Check(_encapMany.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse(RemoteUnderlay)));
        var flows = new List<byte[]>(ManyFlows);
        for (var i = 0; i < ManyFlows; i++)
        {
            flows.Add(Ethernet("02:00:00:00:01:01", Vm1Mac, 0x0800, Udp4("10.0.0.1", "10.1.0.5", 64 - 14, (ushort)(20000 + i))));
        }

        ((InMemoryPort)_encapMany.Ports[1]).SetGenerator(flows);

        // (c) uplink → VM with decapsulation (inner frame 64 bytes, outer 104).
        _decap = CreateEngine();
        var underlay = ConfigureTwoVms(_decap);
        var inner = Udp4("10.1.0.5", "10.0.0.2", 64 - 14);
        Generate(_decap, 0, Ethernet("02:00:00:00:00:01", "02:00:00:00:00:fe", 0x86DD, Ipv6(RemoteUnderlay, underlay.ToString(), 4, inner)));

        // Trivial forward: same port and batch machinery, swap MACs, send back.
        _baselinePort = new InMemoryPort("baseline") { DiscardTransmitted = true };
        _baselinePort.SetGenerator(Ethernet("02:00:00:00:01:01", Vm1Mac, 0x0800, Udp4("10.0.0.1", "10.0.0.2", 64 - 14)));
        _baselineBatch = new FrameBatch(Burst);
        _baselineSlots = new ushort[Burst];
        for (var i = 0; i < Burst; i++)
        {
            _baselineSlots[i] = (ushort)i;
        }

        for (var i = 0; i < 1000; i++)
        {
            _local.ProcessBurst();
            _encap.ProcessBurst();
            _encapMany.ProcessBurst();
            _decap.ProcessBurst();
        }

        AssertForwarding(_local, PacketCounter.LocalDelivered);
        AssertForwarding(_encap, PacketCounter.Encapsulated);
        AssertForwarding(_encapMany, PacketCounter.Encapsulated);
        AssertForwarding(_decap, PacketCounter.Decapsulated);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _local.Dispose();
        _encap.Dispose();
        _encapMany.Dispose();
        _decap.Dispose();
        _baselinePort.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Burst, Description = "trivial forward (swap MACs)")]
    public int TrivialForward()
    {
        var n = _baselinePort.Receive(_baselineBatch, 0, Burst);
        for (var i = 0; i < n; i++)
        {
            var frame = _baselineBatch.Frame(i);
            var destination = BinaryPrimitives.ReadUInt64BigEndian(frame) >> 16;
            var source = BinaryPrimitives.ReadUInt64BigEndian(frame[6..]) >> 16;
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(source >> 16));
            BinaryPrimitives.WriteUInt16BigEndian(frame[4..], (ushort)source);
            BinaryPrimitives.WriteUInt32BigEndian(frame[6..], (uint)(destination >> 16));
            BinaryPrimitives.WriteUInt16BigEndian(frame[10..], (ushort)destination);
        }

        return _baselinePort.Transmit(_baselineBatch, _baselineSlots.AsSpan(0, n));
    }

    [Benchmark(OperationsPerInvoke = Burst, Description = "(a) VM->VM local")]
    public int VmToVmLocal() => _local.ProcessBurst();

    [Benchmark(OperationsPerInvoke = Burst, Description = "(b) VM->remote encap")]
    public int VmToRemoteEncap() => _encap.ProcessBurst();

    [Benchmark(OperationsPerInvoke = Burst, Description = "(b) encap, 1024 flows")]
    public int VmToRemoteEncapManyFlows() => _encapMany.ProcessBurst();

    [Benchmark(OperationsPerInvoke = Burst, Description = "(c) uplink->VM decap")]
    public int UplinkToVmDecap() => _decap.ProcessBurst();

    private static PacketCoreEngine CreateEngine()
    {
        var options = new PacketCoreOptions
        {
            HostUnderlayAddress = "fc00:1::1",
            Uplink = new PacketPortOptions { Name = "uplink", Mac = "02:00:00:00:00:01", PeerMac = "02:00:00:00:00:fe" },
            BurstSize = Burst,
            FlowCapacity = 65536,
        };
        options.VmPorts.Add(new PacketPortOptions { Name = "net_tap1", Mac = "02:00:00:00:01:01", PeerMac = Vm1Mac });
        options.VmPorts.Add(new PacketPortOptions { Name = "net_tap2", Mac = "02:00:00:00:01:02", PeerMac = Vm2Mac });
        var engine = new PacketCoreEngine(options);
        Check(engine.Control.Initialize());
        foreach (var port in engine.Ports)
        {
            ((InMemoryPort)port).DiscardTransmitted = true;
        }

        return engine;
    }

    private static IPAddress ConfigureTwoVms(PacketCoreEngine engine)
    {
        Check(engine.Control.CreateInterface(new CreateInterfaceRequest { InterfaceId = "vm1", Vni = 100, Ipv4 = IPAddress.Parse("10.0.0.1"), DeviceName = "net_tap1" }));
        var created = engine.Control.CreateInterface(new CreateInterfaceRequest { InterfaceId = "vm2", Vni = 100, Ipv4 = IPAddress.Parse("10.0.0.2"), DeviceName = "net_tap2" });
        Check(created.Result);
        return created.Value!.UnderlayRoute;
    }

    private static void Generate(PacketCoreEngine engine, int port, byte[] frame) => ((InMemoryPort)engine.Ports[port]).SetGenerator(frame);

    private static void AssertForwarding(PacketCoreEngine engine, PacketCounter counter)
    {
        if (engine.GetCount(counter) < 1000 * Burst)
        {
            throw new InvalidOperationException($"Benchmark setup is wrong: {counter} = {engine.GetCount(counter)}; drops: {DescribeDrops(engine)}");
        }
    }

    private static string DescribeDrops(PacketCoreEngine engine)
    {
        var text = "";
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            var count = engine.GetDropCount(reason);
            if (count > 0)
            {
                text += $"{reason}={count} ";
            }
        }

        return text;
    }

    private static void Check(ControlResult result)
    {
        if (!result.IsOk)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }

    private static void Check<T>(ControlResult<T> result) => Check(result.Result);

    private static byte[] Ethernet(string destination, string source, ushort type, byte[] payload)
    {
        var frame = new byte[14 + payload.Length];
        System.Net.NetworkInformation.PhysicalAddress.Parse(destination).GetAddressBytes().CopyTo(frame, 0);
        System.Net.NetworkInformation.PhysicalAddress.Parse(source).GetAddressBytes().CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), type);
        payload.CopyTo(frame, 14);
        return frame;
    }

    /// <summary>An IPv4/UDP packet of <paramref name="length"/> bytes (checksums zero: the engine does not verify them).</summary>
    private static byte[] Udp4(string source, string destination, int length, ushort sourcePort = 40000)
    {
        var packet = new byte[length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)length);
        packet[8] = 64;
        packet[9] = 17;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(packet, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(packet, 16);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), 5001);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(length - 20));
        return packet;
    }

    private static byte[] Ipv6(string source, string destination, byte nextHeader, byte[] payload)
    {
        var packet = new byte[40 + payload.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)payload.Length);
        packet[6] = nextHeader;
        packet[7] = 64;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(packet, 8);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(packet, 24);
        payload.CopyTo(packet, 40);
        return packet;
    }
}
