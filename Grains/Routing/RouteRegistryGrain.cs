using Microsoft.Extensions.Logging;

namespace IronOrleans.Grains.Routing;

/// <summary>Node → VNIs it takes part in.</summary>
[GenerateSerializer, Alias("ironorleans.state.route-registry")]
public sealed class RouteRegistryState
{
    [Id(0)] public Dictionary<string, HashSet<uint>> Nodes { get; set; } = [];
}

/// <summary>Tracks where each node takes part so a dead node's routes can be withdrawn everywhere.</summary>
internal sealed partial class RouteRegistryGrain(
    [PersistentState("route-registry", IronOrleansNames.GrainStorage)] IPersistentState<RouteRegistryState> state,
    ILogger<RouteRegistryGrain> logger) : Grain, IRouteRegistryGrain
{
    public async Task AddAsync(string node, uint vni)
    {
        if (!state.State.Nodes.TryGetValue(node, out var vnis))
        {
            state.State.Nodes[node] = vnis = [];
        }

        if (vnis.Add(vni))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string node, uint vni)
    {
        if (state.State.Nodes.TryGetValue(node, out var vnis) && vnis.Remove(vni))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<uint>> GetVnisAsync(string node)
        => Task.FromResult<IReadOnlyList<uint>>(state.State.Nodes.TryGetValue(node, out var vnis) ? [.. vnis.Order()] : []);

    public async Task<int> OnNodeDeadAsync(string node)
    {
        if (!state.State.Nodes.TryGetValue(node, out var vnis))
        {
            return 0;
        }

        await Task.WhenAll(vnis.Select(async vni =>
        {
            // Unsubscribe first, so the withdrawal is not also queued for the dead node (whose agent cannot be placed:
            // every such delivery failed and sent the route table into a re-snapshot back-off for nothing).
            var table = GrainFactory.GetGrain<IRouteTableGrain>(vni);
            await table.UnsubscribeAsync(node);
            await table.WithdrawOriginAsync(node);
        }));
        state.State.Nodes.Remove(node);
        await state.WriteStateAsync();
        LogNodeDead(logger, node, vnis.Count);
        return vnis.Count;
    }

    [LoggerMessage(EventId = 1451, Level = LogLevel.Warning, Message = "Node {NodeId} is dead: withdrew its routes and subscriptions in {Count} VNIs")]
    private static partial void LogNodeDead(ILogger logger, string nodeId, int count);
}
