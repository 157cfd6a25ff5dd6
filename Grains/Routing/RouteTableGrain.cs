using Orleans.GrainDirectory;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace IronOrleans.Grains.Routing;

/// <summary>The durable part of a route table: who takes part, and the activation epoch.</summary>
[GenerateSerializer, Alias("ironorleans.state.route-table")]
public sealed class RouteTableState
{
    [Id(0)] public long Epoch { get; set; }
    [Id(1)] public HashSet<string> Subscribers { get; set; } = [];
    [Id(2)] public HashSet<string> Announcers { get; set; } = [];
}

/// <summary>
/// A VNI's route table. Routes live in memory: the nodes' own desired state is the truth, and a new
/// activation (new epoch) asks every known subscriber and announcer to re-sync, which re-subscribes and
/// re-announces. Only the participant sets are persisted, and only when they change. Once every announcer of the
/// previous activation has re-synced (<see cref="IRouteTableGrain.SyncOriginAsync"/>) or was withdrawn as dead, the
/// table sends End-of-RIB (<see cref="RouteChange.Complete"/>), so subscribers drop stale routes at once instead of
/// waiting out their stale timer.
/// </summary>
[Reentrant]
[CollectionAgeLimit(AlwaysActive = true)]
[GrainDirectory(IronOrleansNames.ConsistentDirectory)] // a re-activation makes every subscriber re-sync the VNI
internal sealed partial class RouteTableGrain(
    [PersistentState("route-table", IronOrleansNames.GrainStorage)] IPersistentState<RouteTableState> state,
    GrainsInstruments instruments,
    ILogger<RouteTableGrain> logger) : Grain, IRouteTableGrain
{
    /// <summary>Deltas a subscriber may fall behind by before it is sent back to a snapshot.</summary>
    internal const int MaxQueuedDeltas = 10_000;
    private const int MaxBatch = 512;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a restarted table waits for its previous announcers before it declares End-of-RIB anyway.</summary>
    internal static readonly TimeSpan ResyncWait = TimeSpan.FromSeconds(10);

    private readonly Dictionary<Route, HashSet<string>> _routes = [];
    private readonly Dictionary<string, HashSet<Route>> _byOrigin = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subscriber> _subscribers = new(StringComparer.Ordinal);

    /// <summary>Announcers of the previous activation that have neither re-synced nor been withdrawn as dead.</summary>
    private readonly HashSet<string> _awaiting = new(StringComparer.Ordinal);
    private bool _complete = true;
    private IGrainTimer? _resyncWaitTimer;
    private long _sequence;

    private uint Vni => (uint)this.GetPrimaryKeyLong();

    private long Version => (state.State.Epoch << 32) | _sequence;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state.State.Epoch++;
        await state.WriteStateAsync(cancellationToken);
        var participants = state.State.Subscribers.Union(state.State.Announcers).ToArray();
        foreach (var node in state.State.Subscribers)
        {
            _subscribers[node] = new Subscriber(node) { ResyncPending = true };
        }

        // Everyone who took part before re-syncs: subscribers re-snapshot, announcers re-announce.
        foreach (var node in state.State.Announcers.Except(state.State.Subscribers))
        {
            _subscribers[node] = new Subscriber(node) { ResyncPending = true, AnnounceOnly = true };
        }

        _awaiting.UnionWith(state.State.Announcers);
        _complete = _awaiting.Count == 0;
        if (!_complete)
        {
            _resyncWaitTimer = this.RegisterGrainTimer(() =>
            {
                if (!_complete)
                {
                    LogResyncWaitEnded(logger, Vni, _awaiting.Count, string.Join(", ", _awaiting.Order(StringComparer.Ordinal).Take(10)));
                    _awaiting.Clear();
                    var deltas = new List<RouteDelta>();
                    CompleteIfDone(deltas);
                    Publish(deltas);
                }

                _resyncWaitTimer?.Dispose();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(ResyncWait, Timeout.InfiniteTimeSpan));
        }

        foreach (var subscriber in _subscribers.Values)
        {
            Pump(subscriber);
        }

        LogActivated(logger, Vni, state.State.Epoch, participants.Length);
    }

    public async Task<long> AnnounceAsync(string origin, IReadOnlyList<Route> routes)
    {
        var deltas = new List<RouteDelta>();
        foreach (var route in routes)
        {
            CheckVni(route);
            Add(origin, route, deltas);
        }

        // Publish before any await: with reentrancy, a later call must not overtake these versions.
        Publish(deltas);
        var version = Version;
        if (state.State.Announcers.Add(origin))
        {
            await state.WriteStateAsync();
            await GrainFactory.GetGrain<IRouteRegistryGrain>(0).AddAsync(origin, Vni);
        }

        return version;
    }

    public async Task<long> SyncOriginAsync(string origin, IReadOnlyList<Route> routes)
    {
        var wanted = new HashSet<Route>(routes.Count);
        foreach (var route in routes)
        {
            CheckVni(route);
            wanted.Add(route);
        }

        var deltas = new List<RouteDelta>();
        if (_byOrigin.TryGetValue(origin, out var owned))
        {
            foreach (var route in owned.Where(r => !wanted.Contains(r)).ToArray())
            {
                Remove(origin, route, deltas);
            }
        }

        foreach (var route in wanted)
        {
            Add(origin, route, deltas);
        }

        if (_awaiting.Remove(origin))
        {
            CompleteIfDone(deltas);
        }

        // Publish before any await: with reentrancy, a later call must not overtake these versions.
        Publish(deltas);
        var version = Version;
        if (wanted.Count > 0 && state.State.Announcers.Add(origin))
        {
            await state.WriteStateAsync();
            await GrainFactory.GetGrain<IRouteRegistryGrain>(0).AddAsync(origin, Vni);
        }

        return version;
    }

    public Task<long> WithdrawAsync(string origin, IReadOnlyList<Route> routes)
    {
        var deltas = new List<RouteDelta>();
        foreach (var route in routes)
        {
            Remove(origin, route, deltas);
        }

        Publish(deltas);
        return Task.FromResult(Version);
    }

    public async Task<long> WithdrawOriginAsync(string origin)
    {
        var deltas = new List<RouteDelta>();
        if (_byOrigin.TryGetValue(origin, out var owned))
        {
            foreach (var route in owned.ToArray())
            {
                Remove(origin, route, deltas);
            }
        }

        var withdrawn = deltas.Count;
        if (_awaiting.Remove(origin))
        {
            CompleteIfDone(deltas); // a dead announcer will not re-sync
        }

        Publish(deltas);
        var version = Version;
        if (withdrawn > 0)
        {
            LogOriginWithdrawn(logger, Vni, origin, withdrawn);
        }

        if (state.State.Announcers.Remove(origin))
        {
            await state.WriteStateAsync();
        }

        return version;
    }

    public async Task<RouteSnapshot> SubscribeAsync(string node)
    {
        if (!_subscribers.TryGetValue(node, out var subscriber) || subscriber.AnnounceOnly)
        {
            subscriber = new Subscriber(node);
            _subscribers[node] = subscriber;
        }

        // Deltas queued before this snapshot are covered by it.
        subscriber.Queue.Clear();
        subscriber.ResyncPending = false;
        var snapshot = Snapshot(exclude: node);
        if (state.State.Subscribers.Add(node))
        {
            await state.WriteStateAsync();
            await GrainFactory.GetGrain<IRouteRegistryGrain>(0).AddAsync(node, Vni);
        }

        return snapshot;
    }

    public async Task UnsubscribeAsync(string node)
    {
        _subscribers.Remove(node);
        if (state.State.Subscribers.Remove(node))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<RouteSnapshot> GetSnapshotAsync() => Task.FromResult(Snapshot(exclude: null));

    public Task<IReadOnlyList<string>> GetSubscribersAsync()
        => Task.FromResult<IReadOnlyList<string>>(_subscribers.Values.Where(s => !s.AnnounceOnly).Select(s => s.Node).Order(StringComparer.Ordinal).ToList());

    private RouteSnapshot Snapshot(string? exclude)
    {
        var routes = new List<OriginRoute>(_routes.Count);
        foreach (var (route, origins) in _routes)
        {
            foreach (var origin in origins)
            {
                if (!string.Equals(origin, exclude, StringComparison.Ordinal))
                {
                    routes.Add(new OriginRoute(route, origin));
                }
            }
        }

        return new RouteSnapshot { Vni = Vni, Version = Version, Routes = routes, Complete = _complete };
    }

    /// <summary>Adds the End-of-RIB delta once the last awaited announcer is accounted for.</summary>
    private void CompleteIfDone(List<RouteDelta> deltas)
    {
        if (_complete || _awaiting.Count > 0)
        {
            return;
        }

        _complete = true;
        _sequence++;
        deltas.Add(new RouteDelta(Version, RouteChange.Complete, default));
        LogComplete(logger, Vni, Version);
    }

    private void Add(string origin, Route route, List<RouteDelta> deltas)
    {
        if (!_routes.TryGetValue(route, out var origins))
        {
            _routes[route] = origins = new HashSet<string>(StringComparer.Ordinal);
        }

        if (origins.Add(origin))
        {
            Origin(origin).Add(route);
            _sequence++;
            deltas.Add(new RouteDelta(Version, RouteChange.Announced, new OriginRoute(route, origin)));
        }
    }

    private void Remove(string origin, Route route, List<RouteDelta> deltas)
    {
        if (_routes.TryGetValue(route, out var origins) && origins.Remove(origin))
        {
            if (origins.Count == 0)
            {
                _routes.Remove(route);
            }

            if (_byOrigin.TryGetValue(origin, out var owned))
            {
                owned.Remove(route);
            }

            _sequence++;
            deltas.Add(new RouteDelta(Version, RouteChange.Withdrawn, new OriginRoute(route, origin)));
        }
    }

    private HashSet<Route> Origin(string origin)
    {
        if (!_byOrigin.TryGetValue(origin, out var owned))
        {
            _byOrigin[origin] = owned = [];
        }

        return owned;
    }

    private void CheckVni(Route route)
    {
        if (route.Vni != Vni)
        {
            throw new Errors.InvalidFieldException("route.vni", $"route for VNI {route.Vni} sent to the table of VNI {Vni}");
        }
    }

    /// <summary>Queues the deltas for every subscriber except their origin; never waits for delivery.</summary>
    private void Publish(List<RouteDelta> deltas)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.AnnounceOnly)
            {
                continue;
            }

            if (subscriber.ResyncPending)
            {
                continue; // it will take a snapshot that includes these
            }

            foreach (var delta in deltas)
            {
                // A node never receives its own routes (metalbond #149/#177), but versions must stay contiguous:
                // the subscriber sees the gap-free sequence because own deltas are sent as well and ignored by its RIB.
                subscriber.Queue.Enqueue(delta);
            }

            if (subscriber.Queue.Count > MaxQueuedDeltas)
            {
                subscriber.Queue.Clear();
                subscriber.ResyncPending = true;
                LogOverflow(logger, Vni, subscriber.Node);
            }

            Pump(subscriber);
        }
    }

    private void Pump(Subscriber subscriber)
    {
        if (subscriber.Pumping)
        {
            return;
        }

        subscriber.Pumping = true;
        _ = PumpAsync(subscriber);
    }

    private async Task PumpAsync(Subscriber subscriber)
    {
        // Resolved once per subscriber: Orleans' GetGrain reads the interface's attributes by reflection on every call, and a
        // table delivers to every subscriber for every route change (perf: GetGrain was ~2 % of the provisioning benchmark's CPU).
        var target = subscriber.Target ??= GrainFactory.GetGrain<IRouteSubscriberGrain>(subscriber.Node);
        var failures = 0;
        try
        {
            while (_subscribers.TryGetValue(subscriber.Node, out var current) && ReferenceEquals(current, subscriber)
                && (subscriber.ResyncPending || subscriber.Queue.Count > 0))
            {
                try
                {
                    if (subscriber.ResyncPending)
                    {
                        subscriber.ResyncPending = false;
                        subscriber.Queue.Clear();
                        await target.OnResyncRequiredAsync(Vni).WaitAsync(DeliveryTimeout);
                    }
                    else
                    {
                        var batch = new List<RouteDelta>(Math.Min(MaxBatch, subscriber.Queue.Count));
                        while (batch.Count < MaxBatch && subscriber.Queue.TryDequeue(out var delta))
                        {
                            batch.Add(delta);
                        }

                        await target.OnRouteDeltasAsync(Vni, batch).WaitAsync(DeliveryTimeout);
                        instruments.OnRouteDeltasDelivered(batch.Count);
                    }

                    failures = 0;
                }
                catch (Exception ex)
                {
                    // Whatever was in flight may be lost: send the subscriber back to a snapshot, after a back-off.
                    failures++;
                    subscriber.Queue.Clear();
                    subscriber.ResyncPending = true;
                    LogDeliveryFailed(logger, ex, Vni, subscriber.Node, failures);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 50 * (1 << Math.Min(failures, 7)))));
                }
            }
        }
        finally
        {
            subscriber.Pumping = false;
        }
    }

    private sealed class Subscriber(string node)
    {
        public string Node { get; } = node;
        public Queue<RouteDelta> Queue { get; } = new();
        public bool ResyncPending { get; set; }
        public bool Pumping { get; set; }

        /// <summary>The subscriber's grain reference, resolved on the first delivery.</summary>
        public IRouteSubscriberGrain? Target { get; set; }

        /// <summary>Known only as an announcer from before a restart: told to re-sync once, never sent deltas.</summary>
        public bool AnnounceOnly { get; set; }
    }
}
