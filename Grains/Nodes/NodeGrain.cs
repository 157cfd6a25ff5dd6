using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Streams;

namespace IronOrleans.Grains.Nodes;

/// <summary>Persistent part of a node: registration, which NICs it hosts, and the activation epoch.</summary>
[GenerateSerializer, Alias("ironorleans.state.node")]
public sealed class NodeState
{
    [Id(0)] public NodeRegistration? Registration { get; set; }
    [Id(1)] public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>Bumped on every activation; the high half of every version, so versions never repeat.</summary>
    [Id(2)] public long Epoch { get; set; }

    /// <summary>NIC key → uid of the NICs placed on this node.</summary>
    [Id(3)] public Dictionary<string, Guid> Members { get; set; } = [];
}

/// <summary>
/// A hypervisor's desired state. Reentrant so that concurrent changes share one storage write
/// (group commit); events are published strictly in version order after the write that covers them: pushed to
/// each registered observer (its own ordered pump, so a slow one never holds back the others or the caller) and
/// published on the node's stream. The push saves the stream's queue poll (up to its period per hop, 100 ms by
/// default) on the NIC provisioning path; the stream stays the reliable path observers fall back to.
/// Only the member list (NIC key → uid) is persisted; the NICs themselves are re-read on activation.
/// </summary>
[Reentrant]
internal sealed partial class NodeGrain(
    [PersistentState("node", IronOrleansNames.GrainStorage)] IPersistentState<NodeState> state,
    GrainsInstruments instruments,
    TimeProvider time,
    ILogger<NodeGrain> logger) : Grain, INodeGrain
{
    private readonly Dictionary<string, NetworkInterfaceInfo> _nics = new(StringComparer.Ordinal);
    private readonly List<NodeEvent> _queue = [];
    private readonly Dictionary<GrainId, Watcher> _watchers = [];
    private IAsyncStream<NodeEvent>? _stream;
    private long _sequence;
    private bool _dirty;
    private TaskCompletionSource? _nextRound;
    private bool _pumping;

    private string NodeName => this.GetPrimaryKeyString();

    private long Version => (state.State.Epoch << 32) | _sequence;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(IronOrleansNames.StreamProvider).GetStream<NodeEvent>(NodeStreams.For(NodeName));
        state.State.Epoch++;
        var stale = new List<string>();
        foreach (var chunk in state.State.Members.Chunk(32))
        {
            var loaded = await Task.WhenAll(chunk.Select(m => LoadAsync(m.Key, m.Value)));
            foreach (var (key, info) in loaded)
            {
                if (info is null)
                {
                    stale.Add(key);
                }
                else
                {
                    _nics[key] = info;
                }
            }
        }

        foreach (var key in stale)
        {
            state.State.Members.Remove(key);
        }

        await state.WriteStateAsync(cancellationToken);
        LogActivated(logger, NodeName, state.State.Epoch, _nics.Count, stale.Count);
    }

    public async Task<NodeInfo> RegisterAsync(NodeRegistration registration)
    {
        if (state.State.Registration != registration)
        {
            if (state.State.Registration is null)
            {
                state.State.RegisteredAt = time.GetUtcNow();
            }

            state.State.Registration = registration;
            _dirty = true;
            await FlushAsync(null);
            LogRegistered(logger, NodeName, registration.UnderlayPrefix);
        }

        return Info()!;
    }

    public Task<NodeInfo?> GetAsync() => Task.FromResult(Info());

    public async Task<long> UpsertInterfaceAsync(NetworkInterfaceInfo nic)
    {
        if (!string.Equals(nic.Spec.Node, NodeName, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("spec.node", $"network interface '{nic.Name}' belongs to node '{nic.Spec.Node}', not '{NodeName}'");
        }

        var key = nic.Name.Key;
        if (_nics.TryGetValue(key, out var known) && known.Uid == nic.Uid && known.ResourceVersion >= nic.ResourceVersion)
        {
            return Version; // nothing new (a retry or a late report)
        }

        if (!state.State.Members.TryGetValue(key, out var uid) || uid != nic.Uid)
        {
            state.State.Members[key] = nic.Uid;
            _dirty = true;
        }

        _nics[key] = nic;
        _sequence++;
        var ev = new NodeEvent { Node = NodeName, Version = Version, Type = NodeEventType.Upserted, Interface = nic };
        await FlushAsync(ev);
        return ev.Version;
    }

    public async Task<long> RemoveInterfaceAsync(ResourceName name, Guid uid)
    {
        var key = name.Key;
        if (!_nics.TryGetValue(key, out var known) || known.Uid != uid)
        {
            if (state.State.Members.TryGetValue(key, out var member) && member == uid)
            {
                state.State.Members.Remove(key);
                _dirty = true;
                await FlushAsync(null);
            }

            return Version;
        }

        _nics.Remove(key);
        state.State.Members.Remove(key);
        _dirty = true;
        _sequence++;
        var ev = new NodeEvent { Node = NodeName, Version = Version, Type = NodeEventType.Removed, Interface = known };
        await FlushAsync(ev);
        return ev.Version;
    }

    public Task<NodeSnapshot> GetSnapshotAsync()
        => Task.FromResult(new NodeSnapshot { Node = NodeName, Version = Version, Interfaces = [.. _nics.Values] });

    public Task<long> WatchAsync(INodeEventObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var id = observer.GetGrainId();
        if (!_watchers.ContainsKey(id))
        {
            _watchers[id] = new Watcher(id, observer);
            LogWatcherAdded(logger, NodeName, id, Version);
        }

        return Task.FromResult(Version);
    }

    public Task UnwatchAsync(INodeEventObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _watchers.Remove(observer.GetGrainId());
        return Task.CompletedTask;
    }

    private NodeInfo? Info() => state.State.Registration is null
        ? null
        : new NodeInfo
        {
            Registration = state.State.Registration,
            RegisteredAt = state.State.RegisteredAt,
            Version = Version,
            InterfaceCount = _nics.Count,
        };

    /// <summary>Queues the event and completes once a storage write (if needed) and the publication covering it are done.</summary>
    private Task FlushAsync(NodeEvent? ev)
    {
        if (ev is not null)
        {
            _queue.Add(ev);
        }

        _nextRound ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = _nextRound.Task;
        if (!_pumping)
        {
            // The flag is set before the call: a pump that completes synchronously (every await already done) clears it
            // in its finally and the next change starts a new one. Assigning the returned task instead left a finished
            // pump in place, and every later change waited forever (found under open-loop load, dotnet-dump dumpasync).
            _pumping = true;
            _ = PumpAsync();
        }

        return wait;
    }

    private async Task PumpAsync()
    {
        try
        {
            while (_nextRound is not null)
            {
                var round = _nextRound;
                _nextRound = null;
                var batch = _queue.ToArray();
                _queue.Clear();
                var dirty = _dirty;
                _dirty = false;
                try
                {
                    if (dirty)
                    {
                        await state.WriteStateAsync();
                    }
                }
                catch (Exception ex)
                {
                    _dirty = true; // try again with the next change
                    round.SetException(ex);
                    continue;
                }

                Push(batch);
                foreach (var ev in batch)
                {
                    try
                    {
                        await _stream!.OnNextAsync(ev);
                        instruments.OnNodeEvent();
                    }
                    catch (Exception ex)
                    {
                        // Subscribers notice the gap in versions and re-snapshot; the change itself is stored.
                        LogPublishFailed(logger, ex, NodeName, ev.Version);
                    }
                }

                round.SetResult();
            }
        }
        finally
        {
            _pumping = false;
        }
    }

    /// <summary>Queues stored events for every observer and starts the pumps that are idle.</summary>
    private void Push(NodeEvent[] batch)
    {
        if (batch.Length == 0 || _watchers.Count == 0)
        {
            return;
        }

        foreach (var watcher in _watchers.Values.ToArray())
        {
            watcher.Queue.AddRange(batch);
            if (watcher.Queue.Count > NodeWatch.MaxQueuedEvents)
            {
                _watchers.Remove(watcher.Id);
                watcher.Queue.Clear();
                instruments.OnNodeWatcherDropped("behind");
                LogWatcherBehind(logger, NodeName, watcher.Id, NodeWatch.MaxQueuedEvents);
                continue;
            }

            if (!watcher.Pumping)
            {
                watcher.Pumping = true;
                _ = PushAsync(watcher);
            }
        }
    }

    /// <summary>One observer's pump: one batch in flight at a time, so the observer sees versions in order.</summary>
    private async Task PushAsync(Watcher watcher)
    {
        try
        {
            while (watcher.Queue.Count > 0 && _watchers.TryGetValue(watcher.Id, out var current) && ReferenceEquals(current, watcher))
            {
                var batch = watcher.Queue.ToArray();
                watcher.Queue.Clear();
                try
                {
                    await watcher.Observer.OnNodeEventsAsync(batch).WaitAsync(NodeWatch.PushTimeout);
                    instruments.OnNodeEventsPushed(batch.Length);
                }
                catch (Exception ex)
                {
                    // Whatever was in flight may be lost; the observer catches up from the stream (or a snapshot on a gap)
                    // and is pushed to again once it registers again.
                    if (_watchers.TryGetValue(watcher.Id, out current) && ReferenceEquals(current, watcher))
                    {
                        _watchers.Remove(watcher.Id);
                    }

                    instruments.OnNodeWatcherDropped("failed");
                    LogPushFailed(logger, ex, NodeName, watcher.Id);
                    return;
                }
            }
        }
        finally
        {
            watcher.Pumping = false;
        }
    }

    private async Task<(string Key, NetworkInterfaceInfo? Info)> LoadAsync(string key, Guid uid)
    {
        try
        {
            var info = await GrainFactory.GetGrain<INetworkInterfaceGrain>(key).GetAsync();
            return (key, info.Uid == uid && info.Spec.Node == NodeName ? info : null);
        }
        catch (ResourceNotFoundException)
        {
            return (key, null);
        }
    }

    private sealed class Watcher(GrainId id, INodeEventObserver observer)
    {
        public GrainId Id { get; } = id;
        public INodeEventObserver Observer { get; } = observer;
        public List<NodeEvent> Queue { get; } = [];
        public bool Pumping { get; set; }
    }
}
