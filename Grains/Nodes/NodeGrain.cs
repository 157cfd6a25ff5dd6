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
/// (group commit); events are published strictly in version order after the write that covers them.
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
}
