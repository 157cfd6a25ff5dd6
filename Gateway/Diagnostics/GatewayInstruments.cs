using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace IronOrleans.Gateway.Diagnostics;

/// <summary>The Gateway's metrics (meter <c>IronOrleans.Gateway</c>).</summary>
internal sealed class GatewayInstruments
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly UpDownCounter<long> _activeWatches;
    private readonly Counter<long> _watchResyncs;

    public GatewayInstruments(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(InstrumentNames.Meter);
        _requests = meter.CreateCounter<long>(InstrumentNames.Requests, "{call}", "Completed gRPC calls");
        _duration = meter.CreateHistogram<double>(InstrumentNames.RequestDuration, "s", "Duration of gRPC calls");
        _errors = meter.CreateCounter<long>(InstrumentNames.Errors, "{call}", "gRPC calls that failed");
        _activeWatches = meter.CreateUpDownCounter<long>(InstrumentNames.ActiveWatches, "{stream}", "Open watch streams");
        _watchResyncs = meter.CreateCounter<long>(InstrumentNames.WatchResyncs, "{resync}", "Watch re-reads of a node");
    }

    /// <summary>Records one finished call.</summary>
    public void OnCallCompleted(string method, StatusCode status, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { InstrumentNames.MethodTag, method },
            { InstrumentNames.StatusTag, status.ToString() },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (status != StatusCode.OK)
        {
            _errors.Add(1, tags);
        }
    }

    public void OnWatchStarted() => _activeWatches.Add(1);

    public void OnWatchEnded() => _activeWatches.Add(-1);

    public void OnWatchResync() => _watchResyncs.Add(1);
}
