using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// Which VNIs each node takes part in (announces or subscribes), so that when a node's silo is declared
/// dead its routes can be withdrawn and its subscriptions dropped everywhere. Key 0.
/// </summary>
[Alias("ironorleans.IRouteRegistryGrain")]
public interface IRouteRegistryGrain : IGrainWithIntegerKey
{
    [Alias("add")]
    Task AddAsync(string node, uint vni);

    [Alias("remove")]
    Task RemoveAsync(string node, uint vni);

    [Alias("vnis"), ReadOnly]
    Task<IReadOnlyList<uint>> GetVnisAsync(string node);

    /// <summary>Withdraws every route of <paramref name="node"/> and drops its subscriptions; returns how many VNIs it touched.</summary>
    [Alias("node-dead")]
    Task<int> OnNodeDeadAsync(string node);
}
