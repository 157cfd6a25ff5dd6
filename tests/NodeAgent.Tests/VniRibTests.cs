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

    [Fact]
    public void APrefix_KeepsARoute_UntilItsLastNextHopAndOrigin_AreWithdrawn()
    {
        var rib = new VniRib(Vni, "self");
        rib.Reset(Snapshot(4L << 32));
        var version = 4L << 32;
        bool Apply(RouteChange change, string prefix, string underlay, string origin)
            => rib.TryApply(new RouteDelta(++version, change, new OriginRoute(new Route(Vni, prefix, new NextHop(underlay)), origin)));
        NextHop? Selected() => rib.SelectedFor("10.0.0.9/32");

        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:2::9", "b"));
        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:2::9", "b")); // a duplicate changes nothing
        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:1::9", "a"));
        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:1::9", "c")); // a second origin of the same hop
        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:0::9", "self")); // our own: never installed
        Assert.Equal("fd00:1::9", Selected()?.Underlay); // the lowest next hop, whichever arrived first

        Assert.True(Apply(RouteChange.Withdrawn, "10.0.0.9/32", "fd00:1::9", "a"));
        Assert.Equal("fd00:1::9", Selected()?.Underlay); // c still announces it
        Assert.True(Apply(RouteChange.Withdrawn, "10.0.0.9/32", "fd00:1::9", "c"));
        Assert.Equal("fd00:2::9", Selected()?.Underlay); // the remaining hop replaces it
        Assert.True(Apply(RouteChange.Withdrawn, "10.0.0.9/32", "fd00:2::9", "a")); // not a pair it holds: changes nothing
        Assert.Equal(1, rib.PrefixCount);
        Assert.True(Apply(RouteChange.Withdrawn, "10.0.0.9/32", "fd00:2::9", "b"));
        Assert.Null(Selected());
        Assert.Equal(0, rib.PrefixCount);

        // Re-announced after it was gone: back, and a reset records every origin it had.
        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:3::9", "d"));
        Assert.True(Apply(RouteChange.Announced, "10.0.0.9/32", "fd00:4::9", "e"));
        Assert.Equal("fd00:3::9", Selected()?.Underlay);
        rib.Reset(Snapshot(5L << 32));
        Assert.True(rib.MayComeBack("10.0.0.9/32", node => node == "e"));
        Assert.False(rib.MayComeBack("10.0.0.9/32", node => node == "b"));
    }

    private static OriginRoute Entry(string prefix, string origin)
        => new(new Route(Vni, prefix, new NextHop($"fd00::{origin.Length:x}")), origin);

    private static RouteSnapshot Snapshot(long version, params OriginRoute[] routes) => new() { Vni = Vni, Version = version, Routes = routes };
}
