using IronOrleans.Grains.Model;
using IronOrleans.NodeAgent.Reconciliation;

namespace IronOrleans.NodeAgent.Tests;

public sealed class VniRibTests
{
    private const uint Vni = 300;

    [Fact]
    public void MayComeBack_AfterARestartedTablesSnapshot_OnlyWhileSomeEarlierAnnouncerLives()
    {
        var rib = new VniRib(Vni, "self");
        rib.Reset(Snapshot(1L << 32, Entry("10.0.0.1/32", "a"), Entry("10.0.0.2/32", "dead"), Entry("10.0.0.3/32", "dead"), Entry("10.0.0.3/32", "b")));

        // The restarted table's first snapshot: nobody has re-announced yet.
        rib.Reset(Snapshot(2L << 32));
        bool Alive(string node) => node != "dead";

        Assert.True(rib.MayComeBack("10.0.0.1/32", Alive));
        Assert.False(rib.MayComeBack("10.0.0.2/32", Alive));
        Assert.True(rib.MayComeBack("10.0.0.3/32", Alive)); // b announced it too
        Assert.True(rib.MayComeBack("10.9.9.9/32", Alive)); // unknown origin (adopted from PacketCore): may come back

        // A second re-sync inside the same stale timer still knows who announced the missing prefixes.
        rib.Reset(Snapshot((2L << 32) + 1, Entry("10.0.0.1/32", "a")));
        Assert.False(rib.MayComeBack("10.0.0.2/32", Alive));
        Assert.True(rib.MayComeBack("10.0.0.3/32", Alive));
        Assert.Equal(["10.0.0.1/32"], rib.Selected().Keys);
    }

    [Fact]
    public void EndOfRib_EndsTheStaleTimer_AndKeepsVersionsContiguous()
    {
        var rib = new VniRib(Vni, "self");
        rib.Reset(Snapshot(3L << 32) with { Complete = false });
        rib.KeepUnselectedUntil = long.MaxValue; // what the agent sets for an incomplete snapshot

        Assert.True(rib.TryApply(new RouteDelta((3L << 32) + 1, RouteChange.Announced, Entry("10.0.0.1/32", "a"))));
        Assert.Equal(long.MaxValue, rib.KeepUnselectedUntil);
        Assert.False(rib.TryApply(new RouteDelta((3L << 32) + 3, RouteChange.Complete, default))); // a gap is still a gap
        Assert.True(rib.TryApply(new RouteDelta((3L << 32) + 2, RouteChange.Complete, default)));

        Assert.Equal(0, rib.KeepUnselectedUntil);
        Assert.Equal((3L << 32) + 2, rib.Version);
        Assert.Equal(["10.0.0.1/32"], rib.Selected().Keys);
    }

    private static OriginRoute Entry(string prefix, string origin)
        => new(new Route(Vni, prefix, new NextHop($"fd00::{origin.Length:x}")), origin);

    private static RouteSnapshot Snapshot(long version, params OriginRoute[] routes) => new() { Vni = Vni, Version = version, Routes = routes };
}
