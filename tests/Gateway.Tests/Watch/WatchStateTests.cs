using IronOrleans.Gateway.Watch;
using IronOrleans.Grains.Model;

namespace IronOrleans.Gateway.Tests.Watch;

/// <summary>The watch rules without a cluster: snapshot, sequenced events, gaps, re-created names, filters.</summary>
public sealed class WatchStateTests
{
    private const string Node = "p1.n1";

    [Fact]
    public void FirstSnapshot_AddsEverything_InNameOrder()
    {
        var state = new WatchState(_ => true);
        var items = state.ApplySnapshot(Snapshot(5, Nic("b"), Nic("a")));

        Assert.Equal([WatchChange.Added, WatchChange.Added], items.Select(i => i.Change));
        Assert.Equal(["ns/a", "ns/b"], items.Select(i => i.Interface!.Name.Key));
        Assert.Equal(5, state.Version);
    }

    [Fact]
    public void Events_AtOrBelowTheSnapshot_AreIgnored_NextOneApplies()
    {
        var state = new WatchState(_ => true);
        var a = Nic("a");
        Assert.Single(state.ApplySnapshot(Snapshot(5, a)));
        var items = new List<WatchItem>();

        Assert.True(state.TryApply(Event(5, NodeEventType.Upserted, a with { ResourceVersion = 9 }), items));
        Assert.Empty(items);

        Assert.True(state.TryApply(Event(6, NodeEventType.Upserted, a with { ResourceVersion = 2 }), items));
        var modified = Assert.Single(items);
        Assert.Equal(WatchChange.Modified, modified.Change);
        Assert.Equal(6, modified.NodeVersion);

        items.Clear();
        Assert.True(state.TryApply(Event(7, NodeEventType.Upserted, Nic("c")), items));
        Assert.True(state.TryApply(Event(8, NodeEventType.Removed, a), items));
        Assert.Equal([WatchChange.Added, WatchChange.Deleted], items.Select(i => i.Change));
    }

    [Fact]
    public void Gap_AsksForASnapshot_WhichSendsTheDifference()
    {
        var state = new WatchState(_ => true);
        var a = Nic("a");
        var b = Nic("b");
        Assert.Equal(2, state.ApplySnapshot(Snapshot(5, a, b)).Count);
        var items = new List<WatchItem>();

        Assert.False(state.TryApply(Event(8, NodeEventType.Upserted, Nic("c")), items));
        Assert.Empty(items);
        Assert.Equal(5, state.Version);

        // Since version 5: a changed, b was deleted, c was added.
        var diff = state.ApplySnapshot(Snapshot(8, a with { ResourceVersion = 3 }, Nic("c")));
        Assert.Equal(
            [(WatchChange.Deleted, "ns/b"), (WatchChange.Added, "ns/c"), (WatchChange.Modified, "ns/a")],
            diff.Select(i => (i.Change, i.Interface!.Name.Key)).OrderBy(t => t.Change == WatchChange.Modified).ToList());
        Assert.Equal(8, state.Version);
    }

    [Fact]
    public void RecreatedUnderTheSameName_IsDeletedThenAdded()
    {
        var state = new WatchState(_ => true);
        var old = Nic("a");
        Assert.Single(state.ApplySnapshot(Snapshot(1, old)));
        var items = new List<WatchItem>();
        var recreated = Nic("a");

        Assert.True(state.TryApply(Event(2, NodeEventType.Upserted, recreated), items));
        Assert.Equal([(WatchChange.Deleted, old.Uid), (WatchChange.Added, recreated.Uid)], items.Select(i => (i.Change, i.Interface!.Uid)));

        // A late removal of the old incarnation does not delete the new one.
        items.Clear();
        Assert.True(state.TryApply(Event(3, NodeEventType.Removed, old), items));
        Assert.Empty(items);
    }

    [Fact]
    public void Filter_HidesOtherNamespaces()
    {
        var state = new WatchState(n => n.Name.Namespace == "ns");
        Assert.Single(state.ApplySnapshot(Snapshot(1, Nic("a"), Nic("b", "other"))));
        var items = new List<WatchItem>();
        Assert.True(state.TryApply(Event(2, NodeEventType.Upserted, Nic("c", "other")), items));
        Assert.True(state.TryApply(Event(3, NodeEventType.Removed, Nic("d", "other")), items));
        Assert.Empty(items);
        Assert.Equal(3, state.Version);
    }

    private static NodeSnapshot Snapshot(long version, params NetworkInterfaceInfo[] nics) =>
        new() { Node = Node, Version = version, Interfaces = nics };

    private static NodeEvent Event(long version, NodeEventType type, NetworkInterfaceInfo nic) =>
        new() { Node = Node, Version = version, Type = type, Interface = nic };

    private static NetworkInterfaceInfo Nic(string name, string ns = "ns") => new()
    {
        Name = new ResourceName(ns, name),
        Uid = Guid.NewGuid(),
        Spec = new NetworkInterfaceSpec { Network = "net", Node = Node, Ips = ["10.0.0.1"] },
        Status = new NetworkInterfaceStatus(),
        Vni = new Vni(300),
        NetworkUid = Guid.NewGuid(),
        CreatedAt = DateTimeOffset.UnixEpoch,
        ResourceVersion = 1,
    };
}
