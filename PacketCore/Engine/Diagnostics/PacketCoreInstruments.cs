using System.Diagnostics.Metrics;

namespace IronOrleans.PacketCore.Diagnostics;

/// <summary>The <c>IronOrleans.PacketCore</c> meter: drops by reason and packet counters, read from the workers' arrays.</summary>
internal sealed class PacketCoreInstruments : IDisposable
{
    public const string MeterName = "IronOrleans.PacketCore";
    public const string DropsInstrument = "ironorleans.packetcore.drops";
    public const string PacketsInstrument = "ironorleans.packetcore.packets";
    public const string FlowsInstrument = "ironorleans.packetcore.flows";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly List<PacketWorkerView> _workers = [];

    public PacketCoreInstruments(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter(DropsInstrument, ObserveDrops, unit: "{packet}", description: "Packets dropped by the data plane, by reason");
        _meter.CreateObservableCounter(PacketsInstrument, ObservePackets, unit: "{packet}", description: "Data-plane packet counters");
        _meter.CreateObservableUpDownCounter(FlowsInstrument, ObserveFlows, unit: "{flow}", description: "Tracked flows");
    }

    public void Register(Graph.PacketWorker worker) => _workers.Add(new PacketWorkerView(worker.Counters, () => worker.FlowCount));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            if (reason == DropReason.None)
            {
                continue;
            }

            long sum = 0;
            foreach (var worker in _workers)
            {
                sum += worker.Counters.Read((int)reason);
            }

            yield return new Measurement<long>(sum, new KeyValuePair<string, object?>("reason", reason.ToString()));
        }
    }

    private IEnumerable<Measurement<long>> ObservePackets()
    {
        foreach (var counter in Enum.GetValues<PacketCounter>())
        {
            long sum = 0;
            foreach (var worker in _workers)
            {
                sum += worker.Counters.Read(PacketCounters.CounterBase + (int)counter);
            }

            yield return new Measurement<long>(sum, new KeyValuePair<string, object?>("counter", counter.ToString()));
        }
    }

    private long ObserveFlows()
    {
        long sum = 0;
        foreach (var worker in _workers)
        {
            sum += worker.FlowCount();
        }

        return sum;
    }

    private sealed record PacketWorkerView(PacketCounters Counters, Func<int> FlowCount);
}
