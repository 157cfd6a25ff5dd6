using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using IronOrleans.Testing;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// Listens to the silos' write-phase histogram (<c>ironorleans.controlplane.write.duration</c>, the same
/// instrument operators export) while the provisioning scenario runs, to split the Ensure RPC into its transaction and
/// the node's desired-state update, and the Ready report likewise.
/// </summary>
internal sealed class WritePhases : IDisposable
{
    private const string InstrumentName = "ironorleans.controlplane.write.duration";
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Operation, string Phase), ConcurrentQueue<long>> _samples = new();

    public WritePhases()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, ms, tags, _) =>
        {
            string? operation = null, phase = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "operation")
                {
                    operation = tag.Value as string;
                }
                else if (tag.Key == "phase")
                {
                    phase = tag.Value as string;
                }
            }

            if (operation is not null && phase is not null)
            {
                _samples.GetOrAdd((operation, phase), _ => new()).Enqueue((long)(ms * Stopwatch.Frequency / 1000));
            }
        });
        _listener.Start();
    }

    /// <summary>Clears what was recorded so far (the seed NICs).</summary>
    public void Reset() => _samples.Clear();

    /// <summary>One line per (operation, phase) recorded: its latency summary.</summary>
    public IEnumerable<string> Lines() => _samples
        .OrderBy(s => s.Key.Operation, StringComparer.Ordinal).ThenByDescending(s => s.Key.Phase, StringComparer.Ordinal)
        .Select(s => $"  - {s.Key.Operation}, {s.Key.Phase}: {new Latencies(s.Value).Summary()}");

    public void Dispose() => _listener.Dispose();
}
