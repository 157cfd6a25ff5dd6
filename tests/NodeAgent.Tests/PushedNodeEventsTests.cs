using System.Net;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;

namespace IronOrleans.NodeAgent.Tests;

/// <summary>
/// The node grain pushes events to its NodeAgent: with the stream's queue poll and the agent's tick both set to ten
/// minutes, NIC changes still reach PacketCore and come back as Ready, so nothing on this path waits for either.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class PushedNodeEventsTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Slow = new()
    {
        [IronOrleansNames.StreamPollPeriodKey] = "00:10:00",
        [NodeAgentOptions.SectionName + ":TickInterval"] = "00:10:00",
    };

    private AgentCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await AgentCluster.StartAsync(Slow, "node-1", "node-2");

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task NicChanges_ReachPacketCore_WithoutStreamPollOrTick()
    {
        var ns = "push";
        var net = await _cluster.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var vni = net.Vni.Value;
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "a"), new NetworkInterfaceSpec { Network = "net", Node = "node-1", Ips = ["10.0.0.1"] });
        await _cluster.ControlPlane.EnsureNetworkInterfaceAsync(new ResourceName(ns, "b"), new NetworkInterfaceSpec { Network = "net", Node = "node-2", Ips = ["10.0.0.2"] });

        await _cluster.WaitReadyAsync(new ResourceName(ns, "a"));
        var b = await _cluster.WaitReadyAsync(new ResourceName(ns, "b"));
        await AgentCluster.UntilAsync(
            () => Routes("node-1", vni).Any(r => r.Prefix.ToString() == "10.0.0.2/32" && r.NextHopAddress.Equals(IPAddress.Parse(b.Status.UnderlayAddress!))),
            "node-1 learned node-2's NIC");

        await _cluster.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "b"), null);
        await AgentCluster.UntilAsync(
            () => _cluster.EngineOf("node-2").Control.ListInterfaces().Value!.Count == 0,
            "node-2's interface removed from its PacketCore");
        await AgentCluster.UntilAsync(
            () => Routes("node-1", vni).All(r => r.Prefix.ToString() != "10.0.0.2/32"),
            "node-1 dropped node-2's route");
    }

    private IReadOnlyList<IronOrleans.PacketCore.Control.RouteInfo> Routes(string node, uint vni) => _cluster.EngineOf(node).Control.ListRoutes(vni).Value ?? [];
}
