using System.Net;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.NodeAgent.DataPlane;
using IronOrleans.PacketCore;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.NodeAgent.Tests;

[Trait("Category", "Cluster")]
public sealed class NodeAgentClusterTests : IAsyncLifetime
{
    private AgentCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await AgentCluster.StartAsync("node-1", "node-2", "node-3");

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    private static NetworkInterfaceSpec Nic(string node, string ip, params string[] prefixes)
        => new() { Network = "net", Node = node, Ips = [ip], Prefixes = prefixes };

    private IReadOnlyList<RouteInfo> Routes(string node, uint vni) => _cluster.EngineOf(node).Control.ListRoutes(vni).Value ?? [];

    private static bool HasRoute(IReadOnlyList<RouteInfo> routes, string prefix, string? via = null)
        => routes.Any(r => r.Prefix.ToString() == prefix && (via is null || r.NextHopAddress.Equals(IPAddress.Parse(via))));

    [Fact]
    public async Task NicsOnTwoNodes_BecomeReady_LearnEachOther_AndDeleteRemovesTheRoute()
    {
        var ns = "t1";
        var net = await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vni = net.Vni.Value;
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), Nic("node-1", "10.0.0.1"));
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "b"), Nic("node-2", "10.0.0.2", "10.2.0.0/24"));

        var a = await _cluster.WaitReadyAsync(new ResourceName(ns, "a"));
        var b = await _cluster.WaitReadyAsync(new ResourceName(ns, "b"));
        Assert.StartsWith("fd00:1::", a.Status.UnderlayAddress, StringComparison.Ordinal);
        Assert.StartsWith("fd00:2::", b.Status.UnderlayAddress, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(a.Status.TapDevice));
        Assert.Equal(["10.2.0.0/24"], b.Status.Prefixes);

        // node-1 routes node-2's IP to node-2's interface underlay, and the alias prefix to its own underlay.
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-1", vni), "10.0.0.2/32", b.Status.UnderlayAddress) && HasRoute(Routes("node-1", vni), "10.2.0.0/24"),
            "node-1 learned node-2's routes");
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-2", vni), "10.0.0.1/32", a.Status.UnderlayAddress),
            "node-2 learned node-1's route");

        // A route PacketCore lost behind the agent's back (no new Initialize uuid) comes back with the next route audit.
        Assert.True(_cluster.EngineOf("node-1").Control.DeleteRoute(vni, IpPrefix.Parse("10.0.0.2/32")).IsOk);
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-1", vni), "10.0.0.2/32", b.Status.UnderlayAddress),
            "node-1's route audit re-installed the route PacketCore lost");

        // A node never installs its own announcements; node-3 has no NIC in the VNI, so it does not even subscribe.
        Assert.False(HasRoute(Routes("node-1", vni), "10.0.0.1/32", a.Status.UnderlayAddress));
        Assert.DoesNotContain("node-3", await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSubscribersAsync());

        await _cluster.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "b"), null);
        await AgentCluster.UntilAsync(() => !HasRoute(Routes("node-1", vni), "10.0.0.2/32") && !HasRoute(Routes("node-1", vni), "10.2.0.0/24"),
            "node-1 dropped node-2's routes after the delete");
        await AgentCluster.UntilAsync(() => _cluster.EngineOf("node-2").Control.ListInterfaces().Value!.Count == 0,
            "node-2's interface removed from its PacketCore");
        Assert.DoesNotContain("node-2", await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSubscribersAsync());
    }

    [Fact]
    public async Task StreamQueuesAndPubSub_LiveOnTheControlSiloOnly()
    {
        var ns = "t-sys";
        await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), Nic("node-1", "10.0.0.1"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "a")); // events went through node-1's stream

        // Pulling agents poll their queues from the start, and every node's agent subscribes to its node stream.
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var seen = "";
        List<DetailedGrainStatistic> streaming;
        try
        {
            streaming = await AgentCluster.WaitForAsync(async () =>
            {
                var all = (await management.GetDetailedGrainStatistics()).Where(s => IsStreamQueue(s) || IsPubSub(s)).ToList();
                seen = string.Join(", ", all.Select(s => $"{s.GrainId} on {s.SiloAddress}"));
                return all.Any(IsStreamQueue) && all.Count(IsPubSub) == 3 ? all : null;
            }, "stream queue grains and the three node streams' pub-sub grains active");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; streaming grains seen: {seen}", ex);
        }

        var control = _cluster.ControlSilo;
        var misplaced = streaming.Where(s => !s.SiloAddress.Equals(control)).Select(s => $"{s.GrainType} on {s.SiloAddress}").ToList();
        Assert.True(misplaced.Count == 0, $"streaming grains on NodeAgent silos: {string.Join("; ", misplaced)}");

        static bool IsStreamQueue(DetailedGrainStatistic s) => s.GrainType.Contains("MemoryStreamQueueGrain", StringComparison.Ordinal);
        static bool IsPubSub(DetailedGrainStatistic s) => s.GrainType.Contains("PubSubRendezvousGrain", StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeStaysSubscribed_UntilItsLastNicInTheVniIsDeleted()
    {
        var ns = "t-last";
        var net = await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vni = net.Vni.Value;
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a1"), Nic("node-1", "10.0.0.1"));
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a2"), Nic("node-1", "10.0.0.3"));
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "b"), Nic("node-2", "10.0.0.2"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "a1"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "a2"));
        var b = await _cluster.WaitReadyAsync(new ResourceName(ns, "b"));
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-1", vni), "10.0.0.2/32", b.Status.UnderlayAddress),
            "node-1 learned node-2's route");

        // One of node-1's two NICs in the VNI goes: node-1 keeps its subscription and the route to node-2.
        await _cluster.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "a1"), null);
        await AgentCluster.UntilAsync(() => _cluster.EngineOf("node-1").Control.ListInterfaces().Value!.Count == 1,
            "a1's interface removed from node-1's PacketCore (the last step of its delete)");
        Assert.Contains("node-1", await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSubscribersAsync());
        Assert.True(HasRoute(Routes("node-1", vni), "10.0.0.2/32", b.Status.UnderlayAddress));

        // Its last NIC there goes: node-1 unsubscribes and removes the routes it had installed.
        await _cluster.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "a2"), null);
        await AgentCluster.WaitForAsync(async () => (await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSubscribersAsync()).Contains("node-1") ? null : (object?)true,
            "node-1 unsubscribed from the VNI");
        Assert.False(HasRoute(Routes("node-1", vni), "10.0.0.2/32"));
        Assert.Contains("node-2", await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSubscribersAsync());
    }

    [Fact]
    public async Task Reconcile_IsIdempotent()
    {
        var ns = "t2";
        var net = await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vip = await _cluster.ControlPlane.CreateVirtualIpAsync(new ResourceName(ns, "vip"), new VirtualIpCreateRequest { Family = IpFamily.IPv4 });
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), Nic("node-1", "10.0.0.1", "10.1.0.0/24") with { VirtualIp = "vip" });
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "b"), Nic("node-2", "10.0.0.2"));
        var a = await _cluster.WaitReadyAsync(new ResourceName(ns, "a"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "b"));
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-2", net.Vni.Value), "10.1.0.0/24"), "prefix route at node-2");

        // The VIP went to the public VNI (100) with its own underlay.
        var publicRoutes = (await _cluster.Client.GetGrain<IRouteTableGrain>(100).GetSnapshotAsync()).Routes;
        Assert.Contains(publicRoutes, r => r.Route.Prefix == vip.Address + "/32" && r.Origin == "node-1");

        var engine = _cluster.EngineOf("node-1");
        string Fingerprint() => string.Join("|",
            string.Join(",", engine.Control.ListInterfaces().Value!.Select(i => $"{i.Id}@{i.UnderlayRoute}")),
            string.Join(",", engine.Control.ListRoutes(0).Value!.Select(r => $"{r.Vni}:{r.Prefix}->{r.NextHopAddress}")),
            engine.Control.GetVip(a.Uid.ToString()).Value?.UnderlayRoute,
            string.Join(",", engine.Control.ListPrefixes(a.Uid.ToString()).Value!.Select(p => $"{p.Prefix}@{p.UnderlayRoute}")));
        var before = Fingerprint();
        var stateBefore = await _cluster.Agent("node-1").GetStateAsync();

        // Apply again in every way the agent can be told to: start, ticks, a route-table re-sync, a desired-state re-ensure.
        await _cluster.Agent("node-1").StartAsync();
        await _cluster.Agent("node-1").TickAsync();
        await _cluster.Agent("node-1").OnResyncRequiredAsync(net.Vni.Value);
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), Nic("node-1", "10.0.0.1", "10.1.0.0/24") with { VirtualIp = "vip" });
        await _cluster.Agent("node-1").TickAsync();

        Assert.Equal(before, Fingerprint());
        var stateAfter = await _cluster.Agent("node-1").GetStateAsync();
        Assert.Equal(stateBefore.InstalledRoutes, stateAfter.InstalledRoutes);
        Assert.Equal(stateBefore.Interfaces, stateAfter.Interfaces);
        Assert.Empty(stateAfter.Failing);
    }

    [Fact]
    public async Task PacketCoreRestart_RecreatesAndReannouncesWithNewUnderlays()
    {
        var ns = "t3";
        var net = await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vni = net.Vni.Value;
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), Nic("node-1", "10.0.0.1"));
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "b"), Nic("node-2", "10.0.0.2"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "a"));
        var b = await _cluster.WaitReadyAsync(new ResourceName(ns, "b"));
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-1", vni), "10.0.0.2/32", b.Status.UnderlayAddress), "first route");
        var oldUuid = (await _cluster.Agent("node-2").GetStateAsync()).DataPlaneUuid;

        // "Restart" node-2's PacketCore: a fresh engine with a new uuid and nothing programmed.
        var planes = _cluster.PlanesOf("node-2");
        var old = planes.Engines["node-2"];
        var fresh = new PacketCoreEngine(old.Options);
        planes.Engines["node-2"] = fresh;
        planes.Replace("node-2", new InProcessDataPlane(fresh.Control, "node-2"));
        old.Dispose();

        var rebuilt = await _cluster.WaitReadyAsync(new ResourceName(ns, "b"), nic => nic.Status.UnderlayAddress != b.Status.UnderlayAddress);
        Assert.NotEqual(oldUuid, (await _cluster.Agent("node-2").GetStateAsync()).DataPlaneUuid);
        Assert.Single(fresh.Control.ListInterfaces().Value!);
        await AgentCluster.UntilAsync(
            () => HasRoute(Routes("node-1", vni), "10.0.0.2/32", rebuilt.Status.UnderlayAddress), "node-1 follows node-2's new underlay");
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-2", vni), "10.0.0.1/32"), "node-2 relearned node-1's route");
        var table = (await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSnapshotAsync()).Routes;
        Assert.DoesNotContain(table, r => r.Origin == "node-2" && r.Route.NextHop.Underlay == b.Status.UnderlayAddress);
    }

    [Fact]
    public async Task DeadNodeAgentSilo_ItsRoutesAreWithdrawnEverywhere()
    {
        var ns = "t4";
        var net = await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vni = net.Vni.Value;
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), Nic("node-1", "10.0.0.1"));
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "c"), Nic("node-3", "10.0.0.3"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "a"));
        await _cluster.WaitReadyAsync(new ResourceName(ns, "c"));
        await AgentCluster.UntilAsync(() => HasRoute(Routes("node-1", vni), "10.0.0.3/32"), "node-1 learned node-3");

        await _cluster.Cluster.StopSiloAsync(_cluster.SiloOf("node-3"));
        await AgentCluster.UntilAsync(() => !HasRoute(Routes("node-1", vni), "10.0.0.3/32"),
            "node-1 dropped the dead node's route", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain((await _cluster.Client.GetGrain<IRouteTableGrain>(vni).GetSnapshotAsync()).Routes, r => r.Origin == "node-3");
    }
}
