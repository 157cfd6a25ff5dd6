using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IronOrleans.Grains;

/// <summary>Metrics of the cluster grains (meter <c>IronOrleans.Grains</c>).</summary>
internal sealed class GrainsInstruments
{
    public const string MeterName = "IronOrleans.Grains";

    private readonly Counter<long> _allocated;
    private readonly Counter<long> _released;
    private readonly Counter<long> _exhausted;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _nodeEvents;
    private readonly Counter<long> _routeDeltas;
    private readonly Counter<long> _nodeEventsPushed;
    private readonly Counter<long> _nodeWatchersDropped;
    private readonly Histogram<double> _writeDuration;

    public GrainsInstruments(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _allocated = meter.CreateCounter<long>("ironorleans.allocator.allocated", description: "Values granted by allocators (kind = vni | public-ip)");
        _released = meter.CreateCounter<long>("ironorleans.allocator.released", description: "Values returned to allocators");
        _exhausted = meter.CreateCounter<long>("ironorleans.allocator.exhausted", description: "Requests refused because a range or pool was full");
        _retries = meter.CreateCounter<long>("ironorleans.transaction.retries", description: "Transient transaction aborts that were retried");
        _nodeEvents = meter.CreateCounter<long>("ironorleans.node.events", description: "Node desired-state events published");
        _routeDeltas = meter.CreateCounter<long>("ironorleans.routes.deltas_delivered", description: "Route deltas delivered to subscribers");
        _nodeEventsPushed = meter.CreateCounter<long>("ironorleans.node.events_pushed", description: "Node events pushed to registered observers (NodeAgents, Gateway watches)");
        _nodeWatchersDropped = meter.CreateCounter<long>("ironorleans.node.watchers_dropped", description: "Node event observers dropped because a push failed or they fell behind (reason = failed | behind)");
        _writeDuration = meter.CreateHistogram<double>(WriteDurationName, unit: "ms",
            description: "Duration of one phase of a write (operation = ensure-nic | ...; phase = transaction, with its retries, | node, the node's desired state stored and pushed)");
    }

    /// <summary>Name of the write-phase duration histogram.</summary>
    public const string WriteDurationName = "ironorleans.controlplane.write.duration";

    /// <summary>A timestamp for <see cref="OnWritePhase"/>.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    public void OnWritePhase(string operation, string phase, long started)
    {
        if (_writeDuration.Enabled)
        {
            _writeDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("phase", phase));
        }
    }

    public void OnAllocated(string kind) => _allocated.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OnReleased(string kind) => _released.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OnExhausted(string kind) => _exhausted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OnRetry(string operation) => _retries.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void OnNodeEvent() => _nodeEvents.Add(1);

    public void OnRouteDeltasDelivered(int count) => _routeDeltas.Add(count);

    public void OnNodeEventsPushed(int count) => _nodeEventsPushed.Add(count);

    public void OnNodeWatcherDropped(string reason) => _nodeWatchersDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
