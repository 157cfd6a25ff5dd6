using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace IronOrleans.Grains.Placement;

/// <summary>
/// Places a grain keyed by a node name on that node's NodeAgent silo (the silo whose name,
/// per <see cref="NodeAgentSilo"/>, lists the node). Node-local grains own the node's PacketCore
/// connection, so they must never run anywhere else; when the node's agent is not running, activation
/// fails and the caller retries later.
/// </summary>
[GenerateSerializer, Immutable, Alias("ironorleans.node-local-placement")]
public sealed class NodeLocalPlacement : PlacementStrategy
{
    /// <summary>The single instance.</summary>
    public static readonly NodeLocalPlacement Instance = new();

    /// <inheritdoc />
    public override bool IsUsingGrainDirectory => true;
}

/// <summary>Marks a grain class as placed by <see cref="NodeLocalPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodeLocalPlacementAttribute() : PlacementAttribute(NodeLocalPlacement.Instance);

/// <summary>Chooses the NodeAgent silo that serves the grain's node.</summary>
public sealed class NodeLocalPlacementDirector(ISiloStatusOracle oracle) : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var node = target.GrainIdentity.Key.ToString();
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (oracle.TryGetSiloName(silo, out var name) && NodeAgentSilo.Serves(name, node))
            {
                return Task.FromResult(silo);
            }
        }

        throw new OrleansException($"No NodeAgent of node '{node}' is active in the cluster; its node-local grain cannot be placed.");
    }

    /// <summary>Registers the strategy's director (call on every silo: placement runs on the calling silo).</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceKey is Type t && t == typeof(NodeLocalPlacement)))
        {
            Orleans.Hosting.PlacementStrategyExtensions.AddPlacementDirector<NodeLocalPlacement, NodeLocalPlacementDirector>(services);
        }
    }
}
