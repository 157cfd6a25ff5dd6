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

    public GrainsInstruments(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _allocated = meter.CreateCounter<long>("ironorleans.allocator.allocated", description: "Values granted by allocators (kind = vni | public-ip)");
        _released = meter.CreateCounter<long>("ironorleans.allocator.released", description: "Values returned to allocators");
        _exhausted = meter.CreateCounter<long>("ironorleans.allocator.exhausted", description: "Requests refused because a range or pool was full");
        _retries = meter.CreateCounter<long>("ironorleans.transaction.retries", description: "Transient transaction aborts that were retried");
        _nodeEvents = meter.CreateCounter<long>("ironorleans.node.events", description: "Node desired-state events published");
        _routeDeltas = meter.CreateCounter<long>("ironorleans.routes.deltas_delivered", description: "Route deltas delivered to subscribers");
    }

    public void OnAllocated(string kind) => _allocated.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OnReleased(string kind) => _released.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OnExhausted(string kind) => _exhausted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OnRetry(string operation) => _retries.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void OnNodeEvent() => _nodeEvents.Add(1);

    public void OnRouteDeltasDelivered(int count) => _routeDeltas.Add(count);
}
