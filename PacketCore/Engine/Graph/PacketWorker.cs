using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Io;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Graph;

/// <summary>One packet worker: owns its frame batch, flow table, counters and tracer; polls its ports in bursts.</summary>
internal sealed class PacketWorker
{
    private readonly IPacketPort[] _ports;
    private readonly SnapshotHolder _snapshots;
    private readonly FrameBatch _batch;
    private readonly int _burst;

    public PacketWorker(int id, EngineSettings settings, IPacketPort[] ports, SnapshotHolder snapshots, TimeProvider time)
    {
        Id = id;
        _ports = ports;
        _snapshots = snapshots;
        _burst = settings.BurstSize;
        _batch = new FrameBatch(_burst);
        Counters = new PacketCounters();
        Tracer = new PacketTracer(settings.TraceCapacity);
        _ = time;
    }

    public int Id { get; }

    public PacketCounters Counters { get; }

    public PacketTracer Tracer { get; }

    public int FlowCount => 0;

    public int PollOnce()
    {
        _ = _snapshots.Current;
        var total = 0;
        foreach (var port in _ports)
        {
            var n = port.Receive(_batch, 0, _burst);
            Counters.Add(PacketCounter.Received, n);
            total += n;
        }

        return total;
    }
}
