using System.Diagnostics;
using IronOrleans.Grains.Model;
using Orleans.Core.Internal;

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

    [Fact]
    public async Task SyncOrigin_ReplacesTheOriginsWholeSet()
    {
        var vni = NextVni();
        var table = fixture.Grains.GetGrain<IRouteTableGrain>(vni);
        var a = "sync-a-" + vni;
        var w = "sync-w-" + vni;
        var (r1, r2, other) = (R(vni, "10.0.0.1/32", "fd00::a:1"), R(vni, "10.0.0.2/32", "fd00::a:1"), R(vni, "10.0.0.3/32", "fd00::b:1"));
        await table.AnnounceAsync(a, [r1]);
        await table.AnnounceAsync("sync-b-" + vni, [other]);
        var snapshot = await table.SubscribeAsync(w);

        var v1 = await table.SyncOriginAsync(a, [r2]);
        var v2 = await table.SyncOriginAsync(a, [r2]); // idempotent

        Assert.Equal(v1, v2);
        Assert.Equal(snapshot.Version + 2, v1);
        var after = await table.GetSnapshotAsync();
        Assert.True(after.Complete);
        Assert.Equal([r2, other], after.Routes.Select(r => r.Route).OrderBy(r => r.Prefix, StringComparer.Ordinal));
        await WaitForAsync(() => RecordingSubscriberGrain.DeltasOf(w).Count >= 2, "two deltas at the subscriber");
        Assert.Equal([(RouteChange.Withdrawn, r1), (RouteChange.Announced, r2)], RecordingSubscriberGrain.DeltasOf(w).Select(d => (d.Change, d.Entry.Route)));
        await Assert.ThrowsAsync<Errors.InvalidFieldException>(() => table.SyncOriginAsync(a, [R(vni + 1, "10.0.0.9/32", "fd00::a:1")]));
        Assert.Equal(v1, (await table.GetSnapshotAsync()).Version);
    }

    [Fact]
    public async Task RestartedTable_IsIncompleteUntilEveryAnnouncerResyncedOrDied_ThenSendsEndOfRib()
    {
        var vni = NextVni();
        var table = fixture.Grains.GetGrain<IRouteTableGrain>(vni);
        var (a, b, w) = ("eor-a-" + vni, "eor-b-" + vni, "eor-w-" + vni);
        var (viaA, viaB) = (R(vni, "10.0.0.1/32", "fd00::a:1"), R(vni, "10.0.0.2/32", "fd00::b:1"));
        await table.AnnounceAsync(a, [viaA]);
        await table.AnnounceAsync(b, [viaB]);
        var before = await table.SubscribeAsync(w);
        Assert.True(before.Complete);

        // A new activation (as after the loss of the silo holding its directory entry) knows no routes yet.
        await table.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var waited = Stopwatch.StartNew();
        RouteSnapshot restarted;
        while ((restarted = await table.GetSnapshotAsync()).Version >> 32 == before.Version >> 32)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the route table was not re-activated within 10 s");
            await Task.Delay(10);
        }

        Assert.False(restarted.Complete);
        Assert.Empty(restarted.Routes);
        await WaitForAsync(() => RecordingSubscriberGrain.ResyncsOf(a) > 0 && RecordingSubscriberGrain.ResyncsOf(w) > 0, "announcer and subscriber told to re-sync");

        var resubscribed = await table.SubscribeAsync(w);
        Assert.False(resubscribed.Complete);
        await table.SyncOriginAsync(a, [viaA]);
        Assert.False((await table.GetSnapshotAsync()).Complete); // b has not re-synced

        await fixture.Grains.GetGrain<IRouteRegistryGrain>(0).OnNodeDeadAsync(b); // b will never re-sync

        var complete = await table.GetSnapshotAsync();
        Assert.True(complete.Complete);
        Assert.Equal([new OriginRoute(viaA, a)], complete.Routes);
        await WaitForAsync(() => RecordingSubscriberGrain.DeltasOf(w).Any(d => d.Change == RouteChange.Complete), "End-of-RIB at the subscriber");
        var deltas = RecordingSubscriberGrain.DeltasOf(w).Where(d => d.Version > resubscribed.Version).ToList();
        Assert.Equal([RouteChange.Announced, RouteChange.Complete], deltas.Select(d => d.Change));
        Assert.Equal(Enumerable.Range(1, 2).Select(i => resubscribed.Version + i), deltas.Select(d => d.Version));
        Assert.Equal(complete.Version, deltas[^1].Version);
    }
}
