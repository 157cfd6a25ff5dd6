using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IronOrleans.NodeAgent;

/// <summary>Metrics of the NodeAgent (meter <c>IronOrleans.NodeAgent</c>).</summary>
internal sealed class NodeAgentInstruments
{
    public const string MeterName = "IronOrleans.NodeAgent";

    private readonly Histogram<double> _reconcile;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _routesInstalled;
    private readonly Counter<long> _routesRemoved;

    public NodeAgentInstruments(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _reconcile = meter.CreateHistogram<double>("ironorleans.nodeagent.reconcile.duration", "ms", "Time to bring one NIC in line with its desired state");
        _failures = meter.CreateCounter<long>("ironorleans.nodeagent.reconcile.failures", description: "NIC reconciles that failed (retried)");
        _routesInstalled = meter.CreateCounter<long>("ironorleans.nodeagent.routes.installed", description: "Routes programmed into PacketCore");
        _routesRemoved = meter.CreateCounter<long>("ironorleans.nodeagent.routes.removed", description: "Routes removed from PacketCore");
    }

    public long Now() => Stopwatch.GetTimestamp();

    public void OnReconciled(long started) => _reconcile.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    public void OnReconcileFailed() => _failures.Add(1);

    public void OnRouteInstalled() => _routesInstalled.Add(1);

    public void OnRouteRemoved() => _routesRemoved.Add(1);
}
