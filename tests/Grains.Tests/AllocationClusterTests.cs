using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AllocationClusterTests(ClusterFixture fixture)
{
    private static string Ns() => "t" + Guid.NewGuid().ToString("N")[..10];

    private static NetworkInterfaceSpec Nic(string network, string ip, string node = "node-a") => new()
    {
        Network = network,
        Node = node,
        Ips = [ip],
    };

    [Fact]
    public async Task ThousandConcurrentVirtualIpCreates_GetThousandDistinctAddresses()
    {
        var ns = Ns();
        var created = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            fixture.ControlPlane.CreateVirtualIpAsync(new ResourceName(ns, $"vip-{i}"), new VirtualIpCreateRequest { Family = IpFamily.IPv4 })));

        Assert.Equal(1000, created.Select(v => v.Address).Distinct().Count());
        Assert.All(created, v => Assert.StartsWith("198.51.10", v.Address, StringComparison.Ordinal));
        Assert.Equal(1000, created.Select(v => v.Uid).Distinct().Count());

        // The name index agrees with what was created.
        var names = new List<string>();
        string? token = null;
        for (var page = 0; page < 20; page++)
        {
            var result = await fixture.ControlPlane.ListNamesAsync(ResourceKind.VirtualIp, ns, token, 300);
            names.AddRange(result.Items);
            token = result.NextPageToken;
            if (token is null)
            {
                break;
            }
        }

        Assert.Equal(1000, names.Distinct().Count());

        // Give the addresses back for the other tests that share the pool.
        await Task.WhenAll(created.Select(v => fixture.ControlPlane.DeleteVirtualIpAsync(v.Name, v.Uid)));
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneNetworkName_CreateOneNetwork()
    {
        var name = new ResourceName(Ns(), "net");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                return (Network: (NetworkInfo?)await fixture.ControlPlane.CreateNetworkAsync(name, new NetworkCreateRequest()), Error: (Exception?)null);
            }
            catch (ResourceAlreadyExistsException ex)
            {
                return (Network: (NetworkInfo?)null, Error: (Exception?)ex);
            }
        }));

        var winner = Assert.Single(attempts, a => a.Network is not null).Network!;
        Assert.Equal(19, attempts.Count(a => a.Error is ResourceAlreadyExistsException { Reason: "NETWORK_EXISTS" }));
        var stored = await fixture.Grains.GetGrain<INetworkGrain>(name.Key).GetAsync();
        Assert.Equal(winner.Uid, stored.Uid);
        Assert.Equal(winner.Vni, stored.Vni);
    }

    [Fact]
    public async Task ConcurrentNetworkCreates_GetDistinctVnisInRange_AndDeleteReleasesThem()
    {
        var ns = Ns();
        var networks = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, $"n{i}"), new NetworkCreateRequest())));
        Assert.Equal(100, networks.Select(n => n.Vni).Distinct().Count());
        Assert.All(networks, n => Assert.InRange(n.Vni.Value, 200u, Vni.MaxValue));

        // A specific VNI: taken once, refused the second time, free again after delete.
        var specific = networks[0].Vni.Value;
        var clash = await Expect.ThrowsAsync<ResourceAlreadyExistsException>(() =>
            fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "clash"), new NetworkCreateRequest { RequestedVni = specific }));
        Assert.Equal("VNI_IN_USE", clash.Reason);
        await fixture.ControlPlane.DeleteNetworkAsync(networks[0].Name, networks[0].Uid);
        var reused = await fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "reuse"), new NetworkCreateRequest { RequestedVni = specific });
        Assert.Equal(specific, reused.Vni.Value);
        await Expect.ThrowsAsync<ResourceNotFoundException>(() => fixture.Grains.GetGrain<INetworkGrain>(networks[0].Name.Key).GetAsync());
    }

    [Fact]
    public async Task SmallPool_ExhaustsWithClearError_AndServesAgainAfterDelete()
    {
        var ns = Ns();
        var vips = new List<VirtualIpInfo>();
        for (var i = 0; i < 8; i++)
        {
            vips.Add(await fixture.ControlPlane.CreateVirtualIpAsync(new ResourceName(ns, $"v6-{i}"), new VirtualIpCreateRequest { Family = IpFamily.IPv6 }));
        }

        Assert.Equal(8, vips.Select(v => v.Address).Distinct().Count());
        var full = await Expect.ThrowsAsync<ResourceExhaustedException>(() =>
            fixture.ControlPlane.CreateVirtualIpAsync(new ResourceName(ns, "v6-overflow"), new VirtualIpCreateRequest { Family = IpFamily.IPv6 }));
        Assert.Equal("PUBLIC_IP_POOL_EXHAUSTED", full.Reason);
        Assert.Contains("8 public IPv6 addresses", full.Message, StringComparison.Ordinal);

        // The refused create left nothing behind.
        await Expect.ThrowsAsync<ResourceNotFoundException>(() =>
            fixture.Grains.GetGrain<IVirtualIpGrain>(new ResourceName(ns, "v6-overflow").Key).GetAsync());

        await fixture.ControlPlane.DeleteVirtualIpAsync(vips[3].Name, null);
        var again = await fixture.ControlPlane.CreateVirtualIpAsync(new ResourceName(ns, "v6-again"), new VirtualIpCreateRequest { Family = IpFamily.IPv6 });
        Assert.Equal(vips[3].Address, again.Address);

        foreach (var v in vips.Where(v => v.Name != vips[3].Name).Append(again))
        {
            await fixture.ControlPlane.DeleteVirtualIpAsync(v.Name, v.Uid);
        }
    }

    [Fact]
    public async Task SameInternalIp_IsRejectedInOneNetwork_AndAcceptedInAnother()
    {
        var ns = Ns();
        var a = await fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "a"), new NetworkCreateRequest());
        await fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "b"), new NetworkCreateRequest());

        var first = await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic-1"), Nic("a", "10.0.0.5"));
        Assert.True(first.Created);
        Assert.Equal(a.Vni, first.Interface.Vni);

        var clash = await Expect.ThrowsAsync<ResourceAlreadyExistsException>(() =>
            fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic-2"), Nic("a", "10.0.0.5")));
        Assert.Equal("IP_IN_USE", clash.Reason);
        await Expect.ThrowsAsync<ResourceNotFoundException>(() =>
            fixture.Grains.GetGrain<INetworkInterfaceGrain>(new ResourceName(ns, "nic-2").Key).GetAsync());

        var other = await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic-3"), Nic("b", "10.0.0.5"));
        Assert.True(other.Created);

        // Idempotent ensure: same spec, same uid, nothing created.
        var again = await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic-1"), Nic("a", "10.0.0.5"));
        Assert.False(again.Created);
        Assert.Equal(first.Interface.Uid, again.Interface.Uid);

        // Immutable fields stay immutable.
        var moved = await Expect.ThrowsAsync<InvalidFieldException>(() =>
            fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic-1"), Nic("a", "10.0.0.5", node: "node-b")));
        Assert.Equal("spec.node", moved.Field);

        // The network is in use until its NICs are gone; then the address is free again.
        var inUse = await Expect.ThrowsAsync<FailedPreconditionException>(() =>
            fixture.ControlPlane.DeleteNetworkAsync(new ResourceName(ns, "a"), null));
        Assert.Equal("NETWORK_IN_USE", inUse.Reason);
        Assert.NotNull(await fixture.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "nic-1"), null));
        Assert.Null(await fixture.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "nic-1"), null));
        var reuse = await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic-4"), Nic("a", "10.0.0.5"));
        Assert.True(reuse.Created);
    }

    [Fact]
    public async Task FailedTransaction_LeavesNothingAllocated()
    {
        var ns = Ns();
        await fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vip = await fixture.ControlPlane.CreateVirtualIpAsync(new ResourceName(ns, "vip"), new VirtualIpCreateRequest { Family = IpFamily.IPv4 });
        await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "holder"), Nic("net", "10.1.0.1") with { VirtualIp = "vip" });

        // This NIC's IP claim succeeds first, then its VirtualIP claim fails: the whole transaction must roll back.
        var refused = await Expect.ThrowsAsync<FailedPreconditionException>(() =>
            fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "loser"), Nic("net", "10.1.0.2") with { VirtualIp = "vip" }));
        Assert.Equal("VIRTUALIP_CLAIMED", refused.Reason);
        await Expect.ThrowsAsync<ResourceNotFoundException>(() =>
            fixture.Grains.GetGrain<INetworkInterfaceGrain>(new ResourceName(ns, "loser").Key).GetAsync());

        // 10.1.0.2 was not leaked: another NIC can take it.
        var taker = await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "taker"), Nic("net", "10.1.0.2"));
        Assert.True(taker.Created);

        // A network create that fails on its requested VNI does not leak a name or a VNI.
        var holder = await fixture.Grains.GetGrain<INetworkGrain>(new ResourceName(ns, "net").Key).GetAsync();
        await Expect.ThrowsAsync<ResourceAlreadyExistsException>(() =>
            fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "dup"), new NetworkCreateRequest { RequestedVni = holder.Vni.Value }));
        var names = await fixture.ControlPlane.ListNamesAsync(ResourceKind.Network, ns, null, 10);
        Assert.Equal(["net"], names.Items);

        // A claimed VirtualIP cannot be deleted; after the NIC lets go it can, and its address is free.
        var claimed = await Expect.ThrowsAsync<FailedPreconditionException>(() => fixture.ControlPlane.DeleteVirtualIpAsync(vip.Name, null));
        Assert.Equal("VIRTUALIP_CLAIMED", claimed.Reason);
        await fixture.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "holder"), null);
        var deleted = await fixture.ControlPlane.DeleteVirtualIpAsync(vip.Name, null);
        Assert.Equal(vip.Address, deleted.Address);
    }

    [Fact]
    public async Task NodeDesiredState_FollowsEnsureStatusAndDelete()
    {
        var ns = Ns();
        var node = "node-" + ns;
        await fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var nodeGrain = fixture.Grains.GetGrain<INodeGrain>(node);
        var before = await nodeGrain.GetSnapshotAsync();
        Assert.Empty(before.Interfaces);

        var nic = await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic"), Nic("net", "10.2.0.1", node));
        var afterEnsure = await nodeGrain.GetSnapshotAsync();
        Assert.Equal(before.Version + 1, afterEnsure.Version);
        Assert.Equal(nic.Interface.Uid, Assert.Single(afterEnsure.Interfaces).Uid);

        // Ensuring again changes nothing.
        await fixture.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic"), Nic("net", "10.2.0.1", node));
        Assert.Equal(afterEnsure.Version, (await nodeGrain.GetSnapshotAsync()).Version);

        var ready = await fixture.ControlPlane.ReportNetworkInterfaceStatusAsync(nic.Interface.Name, new NetworkInterfaceStatusReport
        {
            Uid = nic.Interface.Uid,
            State = NetworkInterfaceState.Ready,
            TapDevice = "tap-nic",
        });
        Assert.Equal(NetworkInterfaceState.Ready, ready!.Status.State);
        Assert.True(ready.ResourceVersion > nic.Interface.ResourceVersion);
        var afterReady = await nodeGrain.GetSnapshotAsync();
        Assert.Equal(afterEnsure.Version + 1, afterReady.Version);
        Assert.Equal("tap-nic", Assert.Single(afterReady.Interfaces).Status.TapDevice);

        var bothDevices = await Expect.ThrowsAsync<InvalidFieldException>(() =>
            fixture.ControlPlane.ReportNetworkInterfaceStatusAsync(nic.Interface.Name, new NetworkInterfaceStatusReport
            {
                Uid = nic.Interface.Uid,
                State = NetworkInterfaceState.Ready,
            }));
        Assert.Equal("status", bothDevices.Field);

        await fixture.ControlPlane.DeleteNetworkInterfaceAsync(nic.Interface.Name, nic.Interface.Uid);
        var afterDelete = await nodeGrain.GetSnapshotAsync();
        Assert.Equal(afterReady.Version + 1, afterDelete.Version);
        Assert.Empty(afterDelete.Interfaces);
    }
}
