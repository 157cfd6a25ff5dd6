using System.Diagnostics;
using System.Net;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.PacketCore.Tests;

public sealed class ConcurrencyTests
{
    /// <summary>
    /// Control calls from several threads while the worker thread forwards traffic: no fault in the packet path, every
    /// call answers with a value, and the final state is exactly what the callers left.
    /// </summary>
    [Fact]
    public async Task ControlFromManyThreads_WhileWorkerRuns_StaysConsistent()
    {
        using var t = new TestEngine(o => o.FlowCapacity = 4096);
        t.CreateInterface("a", 100, "10.0.0.1", "2001:db8::1", 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.200.0.0/16"), 100, IPAddress.Parse("fc00:2::1")).IsOk);
        t.Engine.Start();
        using var stop = new CancellationTokenSource();
        var frame = Frames.Ethernet(TestEngine.PortMacs[0], "52:54:00:00:00:01", Frames.Ipv4Type, Frames.Udp4("10.0.0.1", "10.200.0.1", 1, 2, []));
        var traffic = Task.Run(() =>
        {
            var deadline = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                t.Vm(1).Inject(frame);
                while (t.Uplink.TryTakeTransmitted(out _))
                {
                }
            }
        });

        // Traffic must be flowing before the control side churns, or fast control calls can finish before the worker
        // forwarded a single packet and the test would check nothing about concurrency.
        Assert.True(SpinWait.SpinUntil(() => t.Engine.GetCount(Diagnostics.PacketCounter.Encapsulated) > 0, TimeSpan.FromSeconds(10)),
            "the worker encapsulated nothing within 10 s of starting traffic");
        var encapsulatedBefore = t.Engine.GetCount(Diagnostics.PacketCounter.Encapsulated);

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var prefix = IpPrefix.Parse($"10.{w + 1}.{i}.0/24");
                Assert.True(t.Control.CreateRoute(100, prefix, 100, IPAddress.Parse("fc00:2::1")).IsOk);
                if (i % 2 == 0)
                {
                    Assert.True(t.Control.DeleteRoute(100, prefix).IsOk);
                }

                Assert.True(t.Control.ListRoutes(100).IsOk);
            }
        })).ToArray();
        var churn = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.True(t.Control.CreateInterface(new CreateInterfaceRequest { InterfaceId = "churn", Vni = 200, Ipv4 = IPAddress.Parse("10.9.0.1"), DeviceName = "net_tap2" }).IsOk);
                Assert.True(t.Control.CreateVip("churn", IPAddress.Parse("45.86.6.6")).IsOk);
                Assert.True(t.Control.DeleteInterface("churn").IsOk);
            }
        });

        await Task.WhenAll([.. writers, churn]);
        stop.Cancel();
        await traffic;
        t.Engine.Stop();

        Assert.Equal(0, t.Engine.WorkerFaults);
        Assert.Equal(401, t.Control.ListRoutes(100).Value!.Count);
        Assert.False(t.Control.CheckVniInUse(200, VniType.Ipv4).Value);
        Assert.True(t.Engine.GetCount(Diagnostics.PacketCounter.Encapsulated) > encapsulatedBefore, "traffic stopped while the control side churned");
    }
}
