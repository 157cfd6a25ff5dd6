using System.Net;
using BenchmarkDotNet.Attributes;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.PacketCore.Benchmarks;

/// <summary>
/// Control-plane cost of one route announcement and its withdrawal in a VNI that already holds <see cref="Routes"/>
/// routes: what every subscribing node's PacketCore pays per NIC created elsewhere (CreateRoute, then DeleteRoute of
/// the same /32, each publishing a new data-plane snapshot). Not a packet path: allocation here is per control call.
/// </summary>
public class RouteInstallBenchmarks
{
    private PacketCoreEngine _engine = null!;
    private IpPrefix _prefix;
    private IPAddress _nextHop = null!;

    [Params(100, 1000)]
    public int Routes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new PacketCoreOptions
        {
            HostUnderlayAddress = "fc00:1::1",
            Uplink = new PacketPortOptions { Name = "uplink", Mac = "02:00:00:00:00:01", PeerMac = "02:00:00:00:00:fe" },
            FlowCapacity = 1024,
        };
        options.VmPorts.Add(new PacketPortOptions { Name = "net_tap1", Mac = "02:00:00:00:01:01", PeerMac = "52:54:00:00:00:01" });
        _engine = new PacketCoreEngine(options);
        Check(_engine.Control.Initialize().Result);
        Check(_engine.Control.CreateInterface(new CreateInterfaceRequest { InterfaceId = "vm1", Vni = 100, Ipv4 = IPAddress.Parse("10.0.0.1"), DeviceName = "net_tap1" }).Result);
        for (var i = 0; i < Routes; i++)
        {
            Check(_engine.Control.CreateRoute(100, new IpPrefix(IPAddress.Parse($"10.1.{i / 250}.{i % 250 + 1}"), 32), 100, IPAddress.Parse($"fc00:2::{i + 1:x}")));
        }

        _prefix = IpPrefix.Parse("10.2.0.1/32");
        _nextHop = IPAddress.Parse("fc00:3::1");
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Description = "announce + withdraw one /32")]
    public void AnnounceAndWithdraw()
    {
        Check(_engine.Control.CreateRoute(100, _prefix, 100, _nextHop));
        Check(_engine.Control.DeleteRoute(100, _prefix));
    }

    private static void Check(ControlResult result)
    {
        if (!result.IsOk)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }
}
