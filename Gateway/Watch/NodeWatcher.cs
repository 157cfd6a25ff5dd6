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
        var known = new Dictionary<string, NetworkInterfaceInfo>(StringComparer.Ordinal);
        try
        {
            var snapshot = await client.GetGrain<INodeGrain>(node).GetSnapshotAsync().WaitAsync(cancellationToken);
            var version = snapshot.Version;
            foreach (var nic in snapshot.Interfaces.Where(filter).OrderBy(n => n.Name.Key, StringComparer.Ordinal))
            {
                known[nic.Name.Key] = nic;
                yield return new WatchItem(WatchChange.Added, nic, version);
            }

            yield return new WatchItem(WatchChange.Synced, null, version);

            while (true)
            {
                if (overflow.TryClear())
                {
                    LogResync(logger, node, version, "buffer overflow");
                    await foreach (var item in ResyncAsync(node, filter, known, cancellationToken))
                    {
                        version = Math.Max(version, item.NodeVersion);
                        yield return item;
                    }

                    continue;
                }

                if (!buffer.Reader.TryRead(out var nodeEvent))
                {
                    if (!await buffer.Reader.WaitToReadAsync(cancellationToken))
                    {
                        yield break;
                    }

                    continue;
                }

                if (nodeEvent.Version <= version)
                {
                    continue; // already in the snapshot (or a duplicate delivery)
                }

                if (nodeEvent.Version != version + 1)
                {
                    LogResync(logger, node, version, $"gap: next event has version {nodeEvent.Version}");
                    await foreach (var item in ResyncAsync(node, filter, known, cancellationToken))
                    {
                        version = Math.Max(version, item.NodeVersion);
                        yield return item;
                    }

                    continue;
                }

                version = nodeEvent.Version;
                foreach (var item in Apply(nodeEvent, filter, known))
                {
                    yield return item;
                }
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

    private static IEnumerable<WatchItem> Apply(NodeEvent nodeEvent, Func<NetworkInterfaceInfo, bool> filter, Dictionary<string, NetworkInterfaceInfo> known)
    {
        var nic = nodeEvent.Interface;
        var key = nic.Name.Key;
        known.TryGetValue(key, out var previous);
        if (nodeEvent.Type == NodeEventType.Removed)
        {
            if (previous is not null && previous.Uid == nic.Uid)
            {
                known.Remove(key);
                yield return new WatchItem(WatchChange.Deleted, nic, nodeEvent.Version);
            }

            yield break;
        }

        if (!filter(nic))
        {
            yield break;
        }

        if (previous is not null && previous.Uid != nic.Uid)
        {
            // Deleted and re-created under the same name: the client must see two objects.
            yield return new WatchItem(WatchChange.Deleted, previous, nodeEvent.Version);
            previous = null;
        }

        known[key] = nic;
        if (previous is null)
        {
            yield return new WatchItem(WatchChange.Added, nic, nodeEvent.Version);
        }
        else if (previous.ResourceVersion != nic.ResourceVersion)
        {
            yield return new WatchItem(WatchChange.Modified, nic, nodeEvent.Version);
        }
    }

    private async IAsyncEnumerable<WatchItem> ResyncAsync(
        string node, Func<NetworkInterfaceInfo, bool> filter, Dictionary<string, NetworkInterfaceInfo> known,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        instruments.OnWatchResync();
        var snapshot = await client.GetGrain<INodeGrain>(node).GetSnapshotAsync().WaitAsync(cancellationToken);
        var current = snapshot.Interfaces.Where(filter).ToDictionary(n => n.Name.Key, StringComparer.Ordinal);
        foreach (var (key, previous) in known.OrderBy(k => k.Key, StringComparer.Ordinal).ToArray())
        {
            if (!current.TryGetValue(key, out var now) || now.Uid != previous.Uid)
            {
                known.Remove(key);
                yield return new WatchItem(WatchChange.Deleted, previous, snapshot.Version);
            }
        }

        foreach (var (key, nic) in current.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (!known.TryGetValue(key, out var previous))
            {
                known[key] = nic;
                yield return new WatchItem(WatchChange.Added, nic, snapshot.Version);
            }
            else if (previous.ResourceVersion != nic.ResourceVersion)
            {
                known[key] = nic;
                yield return new WatchItem(WatchChange.Modified, nic, snapshot.Version);
            }
        }
    }

    /// <summary>Set by the stream callback when an event could not be buffered.</summary>
    private sealed class OverflowFlag
    {
        private int _set;

        public void Set() => Volatile.Write(ref _set, 1);

        public bool TryClear() => Interlocked.Exchange(ref _set, 0) == 1;
    }
}
