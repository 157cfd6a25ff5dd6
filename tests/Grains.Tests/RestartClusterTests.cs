using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class RestartClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task EverythingSurvivesAFullClusterRestart()
    {
        var ns = "restart" + Guid.NewGuid().ToString("N")[..8];
        var node = "node-" + ns;
        NetworkInfo network;
        VirtualIpInfo vip;
        NetworkInterfaceInfo nic;

        // A cluster of its own on the shared database, so the shared cluster keeps running.
        var serviceId = "restart-" + ns;
        var first = await ClusterFixture.StartClusterAsync(fixture.Postgres.ConnectionString, silos: 1, serviceId);
        try
        {
            var cp = first.Client.GetGrain<IControlPlaneGrain>(0);
            network = await cp.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
            vip = await cp.CreateVirtualIpAsync(new ResourceName(ns, "vip"), new VirtualIpCreateRequest { Family = IpFamily.IPv4 });
            nic = (await cp.EnsureNetworkInterfaceAsync(new ResourceName(ns, "nic"), new NetworkInterfaceSpec
            {
                Network = "net",
                Node = node,
                Ips = ["10.9.0.1"],
                VirtualIp = "vip",
            })).Interface;
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }

        var second = await ClusterFixture.StartClusterAsync(fixture.Postgres.ConnectionString, silos: 1, serviceId);
        try
        {
            var grains = second.Client;
            var cp = grains.GetGrain<IControlPlaneGrain>(0);
            Assert.Equal(network.Vni, (await grains.GetGrain<INetworkGrain>(network.Name.Key).GetAsync()).Vni);
            var storedVip = await grains.GetGrain<IVirtualIpGrain>(vip.Name.Key).GetAsync();
            Assert.Equal(vip.Address, storedVip.Address);
            Assert.Equal(nic.Uid, storedVip.Target?.Uid);
            var storedNic = await grains.GetGrain<INetworkInterfaceGrain>(nic.Name.Key).GetAsync();
            Assert.Equal(nic.Uid, storedNic.Uid);
            Assert.Equal(vip.Address, storedNic.Status.VirtualIpAddress);

            // The node's desired state was rebuilt from storage, with a version that moved forward.
            var snapshot = await grains.GetGrain<INodeGrain>(node).GetSnapshotAsync();
            Assert.Equal(nic.Uid, Assert.Single(snapshot.Interfaces).Uid);

            // Allocator state survived too: the same IP is still taken and the VNI is still in use.
            var clash = await Expect.ThrowsAsync<Errors.ResourceAlreadyExistsException>(() => cp.EnsureNetworkInterfaceAsync(
                new ResourceName(ns, "nic-2"), new NetworkInterfaceSpec { Network = "net", Node = node, Ips = ["10.9.0.1"] }));
            Assert.Equal("IP_IN_USE", clash.Reason);
            var vniClash = await Expect.ThrowsAsync<Errors.ResourceAlreadyExistsException>(() =>
                cp.CreateNetworkAsync(new ResourceName(ns, "net-2"), new NetworkCreateRequest { RequestedVni = network.Vni.Value }));
            Assert.Equal("VNI_IN_USE", vniClash.Reason);

            await cp.DeleteNetworkInterfaceAsync(nic.Name, nic.Uid);
            await cp.DeleteVirtualIpAsync(vip.Name, vip.Uid);
            await cp.DeleteNetworkAsync(network.Name, network.Uid);
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }
}
