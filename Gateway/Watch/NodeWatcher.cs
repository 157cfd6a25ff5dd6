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
/// Besides the stream, the watcher registers a client observer with the node grain, which pushes each event as soon as
/// it is stored (the stream delivers it again up to one queue poll later; the copy is ignored by version), so a
/// provider sees Ready without waiting for the stream's poll. The registration is refreshed every
/// <see cref="PushRefreshInterval"/>, because the node grain drops observers that fail a push and forgets them when it
/// is re-activated; until then the stream carries the events.
/// </summary>
internal sealed partial class NodeWatcher(
    IClusterClient client, IOptions<GatewayHostOptions> options, GatewayInstruments instruments, ILogger<NodeWatcher> logger)
{
    private static readonly TimeSpan UnsubscribeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often a watch registers its push observer with the node grain again.</summary>
    internal static readonly TimeSpan PushRefreshInterval = TimeSpan.FromSeconds(15);

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

        // Registered before the snapshot is read, like the stream, so every event stored after the snapshot arrives.
        var nodeGrain = client.GetGrain<INodeGrain>(node);
        var forwarder = new PushForwarder(buffer.Writer, overflow);
        var observer = client.CreateObjectReference<INodeEventObserver>(forwarder);
        using var refreshStop = new CancellationTokenSource();
        Task? refresh = null;
        instruments.OnWatchStarted();
        LogWatchStarted(logger, node);
        var state = new WatchState(filter);
        var pending = new List<WatchItem>();
        try
        {
            await nodeGrain.WatchAsync(observer).WaitAsync(cancellationToken);
            refresh = RefreshPushAsync(node, nodeGrain, observer, refreshStop.Token);
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
            await refreshStop.CancelAsync();
            if (refresh is not null)
            {
                await refresh;
            }

            try
            {
                await Task.WhenAll(
                    handle.UnsubscribeAsync(),
                    nodeGrain.UnwatchAsync(observer)).WaitAsync(UnsubscribeTimeout, CancellationToken.None);
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException or OperationCanceledException)
            {
                LogUnsubscribeFailed(logger, node, exception);
            }

            client.DeleteObjectReference<INodeEventObserver>(observer);
            GC.KeepAlive(forwarder); // the runtime holds client observers weakly
        }
    }

    /// <summary>Registers the push observer again every <see cref="PushRefreshInterval"/> until the watch ends.</summary>
    private async Task RefreshPushAsync(string node, INodeGrain nodeGrain, INodeEventObserver observer, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PushRefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await nodeGrain.WatchAsync(observer).WaitAsync(cancellationToken);
                }
                catch (Exception exception) when (exception is TimeoutException or OrleansException)
                {
                    LogPushRefreshFailed(logger, node, exception); // the stream still delivers; the next tick tries again
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the watch ended
        }
    }

    private Task<NodeSnapshot> ReadSnapshotAsync(string node, CancellationToken cancellationToken) =>
        client.GetGrain<INodeGrain>(node).GetSnapshotAsync().WaitAsync(cancellationToken);

    /// <summary>The client observer the node grain pushes events to; shares the stream's buffer.</summary>
    private sealed class PushForwarder(ChannelWriter<NodeEvent> writer, OverflowFlag overflow) : INodeEventObserver
    {
        public Task OnNodeEventsAsync(IReadOnlyList<NodeEvent> events)
        {
            foreach (var item in events)
            {
                if (!writer.TryWrite(item))
                {
                    overflow.Set();
                    break;
                }
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Set by the stream callback or the push observer when an event could not be buffered.</summary>
    private sealed class OverflowFlag
    {
        private int _set;

        public void Set() => Volatile.Write(ref _set, 1);

        public bool TryClear() => Interlocked.Exchange(ref _set, 0) == 1;
    }
}
