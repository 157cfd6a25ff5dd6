using IronOrleans.Grains.Model;
using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// The route table of one VNI (metalbond's role; integer key = VNI): every (origin, route) pair with a
/// version. Subscribers get a snapshot, then sequenced deltas pushed to their node's
/// <see cref="IRouteSubscriberGrain"/>; each subscriber has its own bounded queue, so a slow or dead
/// subscriber never blocks the others (it is sent back to a snapshot instead). Every call is idempotent.
/// </summary>
[Alias("ironorleans.IRouteTableGrain")]
public interface IRouteTableGrain : IGrainWithIntegerKey
{
    /// <summary>Adds routes for <paramref name="origin"/>; pairs it already announced are no-ops. Returns the version.</summary>
    [Alias("announce")]
    Task<long> AnnounceAsync(string origin, IReadOnlyList<Route> routes);

    /// <summary>
    /// Makes <paramref name="routes"/> the whole set <paramref name="origin"/> announces in this VNI (level-based: routes it
    /// announced before and not listed are withdrawn) and counts the origin as re-synced after a table restart. Returns the version.
    /// </summary>
    [Alias("sync-origin")]
    Task<long> SyncOriginAsync(string origin, IReadOnlyList<Route> routes);

    /// <summary>Removes routes of <paramref name="origin"/>; unknown pairs are no-ops. Returns the version.</summary>
    [Alias("withdraw")]
    Task<long> WithdrawAsync(string origin, IReadOnlyList<Route> routes);

    /// <summary>Removes everything <paramref name="origin"/> announced (its node died or re-synced). Returns the version.</summary>
    [Alias("withdraw-origin")]
    Task<long> WithdrawOriginAsync(string origin);

    /// <summary>Registers <paramref name="node"/> as a subscriber (idempotent) and returns the snapshot its deltas follow.</summary>
    [Alias("subscribe")]
    Task<RouteSnapshot> SubscribeAsync(string node);

    /// <summary>Stops pushing to <paramref name="node"/> (idempotent). Its own announcements stay.</summary>
    [Alias("unsubscribe")]
    Task UnsubscribeAsync(string node);

    [Alias("snapshot"), ReadOnly]
    Task<RouteSnapshot> GetSnapshotAsync();

    [Alias("subscribers"), ReadOnly]
    Task<IReadOnlyList<string>> GetSubscribersAsync();
}

/// <summary>
/// The receiving end of route pushes, one per node (key = node name), placed on that node's NodeAgent silo.
/// </summary>
[Alias("ironorleans.IRouteSubscriberGrain")]
public interface IRouteSubscriberGrain : IGrainWithStringKey
{
    /// <summary>Deltas of one VNI, in version order.</summary>
    [Alias("deltas")]
    Task OnRouteDeltasAsync(uint vni, IReadOnlyList<RouteDelta> deltas);

    /// <summary>The table lost track of this subscriber (queue overflow, table restart): take a new snapshot.</summary>
    [Alias("resync")]
    Task OnResyncRequiredAsync(uint vni);
}
