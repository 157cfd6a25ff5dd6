using System.Net;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Io;

namespace IronOrleans.PacketCore.Tests;

/// <summary>A manual clock: time moves only when a test says so.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _timestamp = 1_000_000;

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => Volatile.Read(ref _timestamp);

    public void Advance(TimeSpan span) => Interlocked.Add(ref _timestamp, (long)span.TotalMilliseconds);
}

/// <summary>An engine with in-memory ports (uplink + three VM ports), a static router MAC and a manual clock.</summary>
internal sealed class TestEngine : IDisposable
{
    public const string HostUnderlay = "fc00:1::1";
    public const string UplinkMac = "02:00:00:00:00:01";
    public const string RouterMac = "02:00:00:00:00:fe";
    public const string RouterAddress = "fe80::fe";

    public static readonly string[] PortMacs = ["02:00:00:00:01:01", "02:00:00:00:01:02", "02:00:00:00:01:03"];
    public static readonly string[] VmMacs = ["52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:03"];

    public TestEngine(Action<PacketCoreOptions>? configure = null, bool initialize = true, bool staticRouter = true)
    {
        var options = new PacketCoreOptions
        {
            HostUnderlayAddress = HostUnderlay,
            Uplink = new PacketPortOptions { Name = "uplink", Mac = UplinkMac, PeerMac = staticRouter ? RouterMac : null },
            FlowCapacity = 1024,
            TraceCapacity = 64,
        };
        for (var i = 0; i < PortMacs.Length; i++)
        {
            options.VmPorts.Add(new PacketPortOptions { Name = $"net_tap{i + 1}", TapName = $"vm{i + 1}", Mac = PortMacs[i] });
        }

        options.DhcpDns.Add("8.8.8.8");
        options.Dhcpv6Dns.Add("2001:4860:4860::8888");
        configure?.Invoke(options);
        Engine = new PacketCoreEngine(options, timeProvider: Time);
        if (initialize)
        {
            Assert.True(Engine.Control.Initialize().IsOk);
        }
    }

    public ManualTimeProvider Time { get; } = new();

    public PacketCoreEngine Engine { get; }

    public PacketCoreControl Control => Engine.Control;

    public InMemoryPort Uplink => (InMemoryPort)Engine.Ports[0];

    /// <summary>VM port 1..3.</summary>
    public InMemoryPort Vm(int index) => (InMemoryPort)Engine.Ports[index];

    public IPAddress CreateInterface(string id, uint vni, string? ipv4, string? ipv6, int port, string? hostname = null, PxeConfig? pxe = null)
    {
        var result = Control.CreateInterface(new CreateInterfaceRequest
        {
            InterfaceId = id,
            Vni = vni,
            Ipv4 = ipv4 is null ? null : IPAddress.Parse(ipv4),
            Ipv6 = ipv6 is null ? null : IPAddress.Parse(ipv6),
            DeviceName = $"net_tap{port}",
            Hostname = hostname,
            Pxe = pxe,
        });
        Assert.True(result.IsOk, result.ToString());
        return result.Value!.UnderlayRoute;
    }

    /// <summary>Injects <paramref name="frame"/> into <paramref name="port"/> and runs one burst.</summary>
    public void Send(InMemoryPort port, byte[] frame)
    {
        Assert.True(port.Inject(frame));
        Engine.ProcessBurst();
    }

    /// <summary>Takes the single frame transmitted on <paramref name="port"/>; fails if there is none or more than one.</summary>
    public static byte[] TakeOne(InMemoryPort port)
    {
        Assert.True(port.TryTakeTransmitted(out var frame), $"expected a frame on {port.Name}, none was sent");
        Assert.False(port.TryTakeTransmitted(out _), $"expected exactly one frame on {port.Name}");
        return frame;
    }

    public void AssertNothingSent()
    {
        foreach (var port in Engine.Ports)
        {
            Assert.Equal(0, ((InMemoryPort)port).PendingTransmitted);
        }
    }

    public long Drops(DropReason reason) => Engine.GetDropCount(reason);

    public void Dispose() => Engine.Dispose();
}
