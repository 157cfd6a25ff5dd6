using System.Runtime.CompilerServices;
using System.Threading.Channels;
using IronOrleans.Gateway.Diagnostics;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace IronOrleans.Gateway.Watch;

/// <summary>
/// Turns a node's change stream into a complete, ordered watch: subscribe to the node stream first, then read the
/// node's snapshot (ADDED for each interface, then SYNCED), then forward events whose version is above the last one
/// applied. A gap in versions, or a buffer overflow because the client reads slowly, makes the watcher re-read the
/// snapshot and send the difference (ADDED / MODIFIED / DELETED), so the client's view always converges without
/// polling. Stream events are hints; the snapshot is the truth (ARCHITECTURE §5).
/// </summary>
internal sealed partial class NodeWatcher(
    IClusterClient client, IOptions<GatewayHostOptions> options, GatewayInstruments instruments, ILogger<NodeWatcher> logger)
{
    private static readonly TimeSpan UnsubscribeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Streams the interfaces of <paramref name="node"/> that pass <paramref name="filter"/> until cancelled.</summary>
    public async IAsyncEnumerable<WatchItem> WatchAsync(
        string node, Func<NetworkInterfaceInfo, bool> filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = Channel.CreateBounded<NodeEvent>(new BoundedChannelOptions(options.Value.WatchBufferCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails instead of blocking the stream's delivery.
        });
        var overflow = new OverflowFlag();
        var stream = client.GetStreamProvider(IronOrleansNames.StreamProvider).GetStream<NodeEvent>(NodeStreams.For(node));
        var handle = await stream.SubscribeAsync(
            (item, _) =>
            {
                if (!buffer.Writer.TryWrite(item))
                {
                    overflow.Set();
                }

                return Task.CompletedTask;
            },
            error =>
            {
                LogStreamError(logger, node, error);
                overflow.Set();
                return Task.CompletedTask;
            });

        instruments.OnWatchStarted();
        LogWatchStarted(logger, node);
        var state = new WatchState(filter);
        var pending = new List<WatchItem>();
        try
        {
            foreach (var item in state.ApplySnapshot(await ReadSnapshotAsync(node, cancellationToken)))
            {
                yield return item;
            }

            yield return new WatchItem(WatchChange.Synced, null, state.Version);

            while (true)
            {
                string? resyncCause = null;
                if (overflow.TryClear())
                {
                    resyncCause = "buffer overflow";
                }
                else if (buffer.Reader.TryRead(out var nodeEvent))
                {
                    if (!state.TryApply(nodeEvent, pending))
                    {
                        resyncCause = $"gap: next event has version {nodeEvent.Version}";
                    }
                }
                else if (!await buffer.Reader.WaitToReadAsync(cancellationToken))
                {
                    yield break;
                }

                if (resyncCause is not null)
                {
                    LogResync(logger, node, state.Version, resyncCause);
                    instruments.OnWatchResync();
                    pending.AddRange(state.ApplySnapshot(await ReadSnapshotAsync(node, cancellationToken)));
                }

                foreach (var item in pending)
                {
                    yield return item;
                }

                pending.Clear();
            }
        }
        finally
        {
            instruments.OnWatchEnded();
            LogWatchEnded(logger, node);
            try
            {
                await handle.UnsubscribeAsync().WaitAsync(UnsubscribeTimeout, CancellationToken.None);
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException or OperationCanceledException)
            {
                LogUnsubscribeFailed(logger, node, exception);
            }
        }
    }

    private Task<NodeSnapshot> ReadSnapshotAsync(string node, CancellationToken cancellationToken) =>
        client.GetGrain<INodeGrain>(node).GetSnapshotAsync().WaitAsync(cancellationToken);

    /// <summary>Set by the stream callback when an event could not be buffered.</summary>
    private sealed class OverflowFlag
    {
        private int _set;

        public void Set() => Volatile.Write(ref _set, 1);

        public bool TryClear() => Interlocked.Exchange(ref _set, 0) == 1;
    }
}
