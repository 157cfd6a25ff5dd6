using System.Diagnostics;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class RouteTableClusterTests(ClusterFixture fixture)
{
    private static uint NextVni() => (uint)Random.Shared.Next(1_000, 16_000_000);

    private static Route R(uint vni, string prefix, string underlay, NextHopType type = NextHopType.Standard)
        => new(vni, prefix, new NextHop(underlay, type));

    private static async Task WaitForAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for: {what}");
            }

            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Subscriber_GetsSnapshotThenSequencedDeltas_AndDuplicatesAreNoOps()
    {
        var vni = NextVni();
        var table = fixture.Grains.GetGrain<IRouteTableGrain>(vni);
        var a = "node-a-" + vni;
        var b = "node-b-" + vni;
        var existing = R(vni, "10.0.0.1/32", "fd00::a:1");
        await table.AnnounceAsync(a, [existing]);

        var snapshot = await table.SubscribeAsync(b);
        Assert.Equal(new OriginRoute(existing, a), Assert.Single(snapshot.Routes));
        var again = await table.SubscribeAsync(b);
        Assert.Equal(snapshot.Version, again.Version);
        Assert.Equal([b], await table.GetSubscribersAsync());

        var second = R(vni, "10.0.0.2/32", "fd00::a:2");
        var v1 = await table.AnnounceAsync(a, [second]);
        var v2 = await table.AnnounceAsync(a, [second, existing]); // duplicates
        Assert.Equal(v1, v2);
        var v3 = await table.WithdrawAsync(a, [existing]);
        var v4 = await table.WithdrawAsync(a, [existing]); // duplicate withdraw
        Assert.Equal(v3, v4);

        await WaitForAsync(() => RecordingSubscriberGrain.DeltasOf(b).Count >= 2, "two deltas at node b");
        var deltas = RecordingSubscriberGrain.DeltasOf(b);
        Assert.Equal(2, deltas.Count);
        Assert.Equal([snapshot.Version + 1, snapshot.Version + 2], deltas.Select(d => d.Version));
        Assert.Equal((RouteChange.Announced, second), (deltas[0].Change, deltas[0].Entry.Route));
        Assert.Equal((RouteChange.Withdrawn, existing), (deltas[1].Change, deltas[1].Entry.Route));
    }

    [Fact]
    public async Task OnePrefix_ManyNextHops_WithdrawOneKeepsTheOther()
    {
        var vni = NextVni();
        var table = fixture.Grains.GetGrain<IRouteTableGrain>(vni);
        var viaA = R(vni, "192.168.0.0/24", "fd00::a:1");
        var viaB = R(vni, "192.168.0.0/24", "fd00::b:1");
        await table.AnnounceAsync("a", [viaA]);
        await table.AnnounceAsync("b", [viaB]);
        await table.AnnounceAsync("c", [viaB]); // the same tuple from a second origin
        await table.WithdrawAsync("b", [viaB]);

        var routes = (await table.GetSnapshotAsync()).Routes;
        Assert.Equal(2, routes.Count);
        Assert.Contains(new OriginRoute(viaA, "a"), routes);
        Assert.Contains(new OriginRoute(viaB, "c"), routes);

        // A subscriber never gets its own routes in its snapshot.
        var asC = await table.SubscribeAsync("c");
        Assert.Equal(new OriginRoute(viaA, "a"), Assert.Single(asC.Routes));
    }

    [Fact]
    public async Task SlowSubscriber_DoesNotBlockOthers()
    {
        var vni = NextVni();
        var table = fixture.Grains.GetGrain<IRouteTableGrain>(vni);
        var slow = "slow-" + vni;
        var fast = "fast-" + vni;
        await table.SubscribeAsync(slow);
        await table.SubscribeAsync(fast);
        try
        {
            for (var i = 0; i < 100; i++)
            {
                await table.AnnounceAsync("origin", [R(vni, $"10.1.{i}.0/24", "fd00::1")]);
            }

            await WaitForAsync(() => RecordingSubscriberGrain.DeltasOf(fast).Count == 100, "100 deltas at the fast subscriber");
            Assert.Empty(RecordingSubscriberGrain.DeltasOf(slow));
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), RecordingSubscriberGrain.DeltasOf(fast).Select(d => d.Version - RecordingSubscriberGrain.DeltasOf(fast)[0].Version + 1));
        }
        finally
        {
            RecordingSubscriberGrain.Release(slow);
        }

        // Once it reads again, the slow one catches up (by deltas, or by a re-sync if its delivery timed out).
        await WaitForAsync(() => RecordingSubscriberGrain.DeltasOf(slow).Count == 100 || RecordingSubscriberGrain.ResyncsOf(slow) > 0,
            "the slow subscriber caught up or was sent back to a snapshot");
    }

    [Fact]
    public async Task DeadNode_LosesItsRoutesAndSubscriptionsEverywhere()
    {
        var vni1 = NextVni();
        var vni2 = vni1 + 1;
        var dead = "dead-" + vni1;
        var watcher = "watcher-" + vni1;
        var t1 = fixture.Grains.GetGrain<IRouteTableGrain>(vni1);
        var t2 = fixture.Grains.GetGrain<IRouteTableGrain>(vni2);
        await t1.AnnounceAsync(dead, [R(vni1, "10.0.0.1/32", "fd00::d:1")]);
        await t2.AnnounceAsync(dead, [R(vni2, "10.0.0.1/32", "fd00::d:2")]);
        await t1.AnnounceAsync("alive", [R(vni1, "10.0.0.2/32", "fd00::e:1")]);
        await t2.SubscribeAsync(dead);
        await t1.SubscribeAsync(watcher);
        Assert.Equal([vni1, vni2], await fixture.Grains.GetGrain<IRouteRegistryGrain>(0).GetVnisAsync(dead));

        var touched = await fixture.Grains.GetGrain<IRouteRegistryGrain>(0).OnNodeDeadAsync(dead);

        Assert.Equal(2, touched);
        Assert.DoesNotContain((await t1.GetSnapshotAsync()).Routes, r => r.Origin == dead);
        Assert.Empty((await t2.GetSnapshotAsync()).Routes);
        Assert.DoesNotContain(dead, await t2.GetSubscribersAsync());
        Assert.Single((await t1.GetSnapshotAsync()).Routes);
        await WaitForAsync(() => RecordingSubscriberGrain.DeltasOf(watcher).Any(d => d.Change == RouteChange.Withdrawn && d.Entry.Origin == dead),
            "the watcher saw the dead node's route withdrawn");
        Assert.Equal(0, await fixture.Grains.GetGrain<IRouteRegistryGrain>(0).OnNodeDeadAsync(dead));
    }
}
