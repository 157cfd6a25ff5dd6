using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using IronOrleans.NodeAgent.DataPlane;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// What the benchmark waits for: per NIC (or announced route), the Ready report and the route's installation in the
/// PacketCore of every expected node, stamped with <see cref="Stopwatch.GetTimestamp"/> where it happens (the data-plane
/// seam, the watch reader), so a busy benchmark thread does not inflate the numbers. Also follows the routes that lead to
/// one node's underlay (the dead-node scenario).
/// </summary>
internal sealed class RouteTracker
{
    private readonly ConcurrentDictionary<(uint Vni, string Prefix), Probe> _byRoute = new();
    private readonly ConcurrentDictionary<string, Probe> _byNic = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Node, uint Vni, string Prefix), byte> _watched = new();
    private readonly ConcurrentDictionary<Guid, long> _interfaceCreatedAt = new();
    private readonly Lock _watchGate = new();
    private volatile WatchTarget? _target;
    private TaskCompletionSource<long>? _watchedGone;
    private long _installs;

    /// <summary>Successful CreateRoute calls seen on all observed data planes.</summary>
    public long Installs => Interlocked.Read(ref _installs);

    /// <summary>Routes to the watched node's underlay still installed on other nodes.</summary>
    public int WatchedCount => _watched.Count;

    /// <summary>
    /// Registers a wait (before the call that causes it): done when <paramref name="expectedNodes"/> distinct nodes other
    /// than <paramref name="ownNode"/> installed <paramref name="prefix"/> in <paramref name="vni"/>, and, when
    /// <paramref name="nic"/> is given, the NIC was reported Ready.
    /// </summary>
    public Probe Expect(string? nic, uint vni, string prefix, string? ownNode, int expectedNodes)
    {
        var probe = new Probe(nic is not null, ownNode, expectedNodes);
        if (!_byRoute.TryAdd((vni, prefix), probe))
        {
            throw new InvalidOperationException($"route {vni} {prefix} is already expected");
        }

        if (nic is not null && !_byNic.TryAdd(nic, probe))
        {
            throw new InvalidOperationException($"NIC {nic} is already expected");
        }

        return probe;
    }

    public void OnReady(string nic, long timestamp)
    {
        if (_byNic.TryGetValue(nic, out var probe))
        {
            probe.OnReady(timestamp);
        }
    }

    public void OnError(string nic, string message)
    {
        if (_byNic.TryGetValue(nic, out var probe))
        {
            probe.Fail($"status ERROR: {message}");
        }
    }

    public void OnInstalled(string node, uint vni, string prefix, string nextHop, long timestamp)
    {
        Interlocked.Increment(ref _installs);
        if (_byRoute.TryGetValue((vni, prefix), out var probe))
        {
            probe.OnInstalled(node, nextHop, timestamp);
        }

        if (_target is { } target && !string.Equals(node, target.Node, StringComparison.Ordinal)
            && IPAddress.TryParse(nextHop, out var hop) && target.Underlay.Contains(hop))
        {
            _watched[(node, vni, prefix)] = 0;
        }
    }

    public void OnInterfaceCreated(string interfaceId, long timestamp)
    {
        if (Guid.TryParse(interfaceId, out var uid))
        {
            _interfaceCreatedAt.TryAdd(uid, timestamp);
        }
    }

    /// <summary>When the NIC's interface was created in its node's PacketCore (0 = not seen).</summary>
    public long InterfaceCreatedAt(Guid uid) => _interfaceCreatedAt.TryGetValue(uid, out var at) ? at : 0;

    public void OnRemoved(string node, uint vni, string prefix, long timestamp)
    {
        if (_watched.TryRemove((node, vni, prefix), out _) && _watched.IsEmpty)
        {
            lock (_watchGate)
            {
                _watchedGone?.TrySetResult(timestamp);
            }
        }
    }

    /// <summary>Starts following the routes other nodes install toward <paramref name="underlay"/> (before they exist).</summary>
    public void Watch(string node, IPNetwork underlay) => _target = new WatchTarget(node, underlay);

    private sealed record WatchTarget(string Node, IPNetwork Underlay);

    /// <summary>Completes with the timestamp of the removal that left no route toward the watched underlay.</summary>
    public Task<long> WatchedGoneAsync()
    {
        lock (_watchGate)
        {
            _watchedGone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_watched.IsEmpty)
            {
                _watchedGone.TrySetResult(Stopwatch.GetTimestamp());
            }

            return _watchedGone.Task;
        }
    }

    /// <summary>One expected outcome; <see cref="Done"/> completes with the timestamp at which the last condition held.</summary>
    internal sealed class Probe(bool needsReady, string? ownNode, int expectedNodes)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, string> _installedOn = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _readyAt;
        private long _lastInstallAt;
        private long _firstInstallAt;

        public Task<long> Done => _done.Task;

        public string? OwnNode => ownNode;

        public int InstalledCount
        {
            get
            {
                lock (_gate)
                {
                    return _installedOn.Count;
                }
            }
        }

        public bool IsReady => Interlocked.Read(ref _readyAt) != 0;

        /// <summary>When the first node installed the route (0 = none yet).</summary>
        public long FirstInstallAt
        {
            get
            {
                lock (_gate)
                {
                    return _firstInstallAt;
                }
            }
        }

        /// <summary>When the Ready report was seen (0 = not yet).</summary>
        public long ReadyAt => Interlocked.Read(ref _readyAt);

        /// <summary>Distinct next hops the nodes installed (more than one would mean nodes disagree).</summary>
        public IReadOnlyCollection<string> NextHops
        {
            get
            {
                lock (_gate)
                {
                    return [.. _installedOn.Values.Distinct(StringComparer.Ordinal)];
                }
            }
        }

        public void OnReady(long timestamp)
        {
            lock (_gate)
            {
                if (_readyAt == 0)
                {
                    _readyAt = timestamp;
                }

                CheckDone();
            }
        }

        public void OnInstalled(string node, string nextHop, long timestamp)
        {
            lock (_gate)
            {
                if (string.Equals(node, ownNode, StringComparison.Ordinal))
                {
                    _done.TrySetException(new InvalidOperationException($"node {node} installed its own route"));
                    return;
                }

                _installedOn[node] = nextHop;
                _lastInstallAt = Math.Max(_lastInstallAt, timestamp);
                _firstInstallAt = _firstInstallAt == 0 ? timestamp : Math.Min(_firstInstallAt, timestamp);
                CheckDone();
            }
        }

        public void Fail(string message) => _done.TrySetException(new InvalidOperationException(message));

        private void CheckDone()
        {
            if ((!needsReady || _readyAt != 0) && _installedOn.Count >= expectedNodes)
            {
                _done.TrySetResult(Math.Max(_readyAt, _lastInstallAt));
            }
        }
    }
}

/// <summary>A node's data plane as the agent sees it, reporting successful route changes to the tracker; everything else passes through.</summary>
internal sealed class ObservingDataPlane(IDataPlane inner, string node, RouteTracker tracker) : IDataPlane
{
    public string Describe => inner.Describe;

    public async Task<ControlResult> CreateRouteAsync(uint vni, IpPrefix prefix, uint nextHopVni, IPAddress nextHop, CancellationToken cancellationToken = default)
    {
        var result = await inner.CreateRouteAsync(vni, prefix, nextHopVni, nextHop, cancellationToken);
        if (result.IsOk)
        {
            tracker.OnInstalled(node, vni, prefix.Normalize().ToString(), nextHop.ToString(), Stopwatch.GetTimestamp());
        }

        return result;
    }

    public async Task<ControlResult> DeleteRouteAsync(uint vni, IpPrefix prefix, CancellationToken cancellationToken = default)
    {
        var result = await inner.DeleteRouteAsync(vni, prefix, cancellationToken);
        if (result.IsOk)
        {
            tracker.OnRemoved(node, vni, prefix.Normalize().ToString(), Stopwatch.GetTimestamp());
        }

        return result;
    }

    public Task<ControlResult<string>> CheckInitializedAsync(CancellationToken cancellationToken = default) => inner.CheckInitializedAsync(cancellationToken);

    public Task<ControlResult<string>> InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public async Task<ControlResult<InterfaceCreated>> CreateInterfaceAsync(CreateInterfaceRequest request, CancellationToken cancellationToken = default)
    {
        var result = await inner.CreateInterfaceAsync(request, cancellationToken);
        if (result.IsOk)
        {
            tracker.OnInterfaceCreated(request.InterfaceId, Stopwatch.GetTimestamp());
        }

        return result;
    }

    public Task<ControlResult<InterfaceInfo>> GetInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default)
        => inner.GetInterfaceAsync(interfaceId, cancellationToken);

    public Task<ControlResult<IReadOnlyList<InterfaceInfo>>> ListInterfacesAsync(CancellationToken cancellationToken = default)
        => inner.ListInterfacesAsync(cancellationToken);

    public Task<ControlResult> DeleteInterfaceAsync(string interfaceId, CancellationToken cancellationToken = default)
        => inner.DeleteInterfaceAsync(interfaceId, cancellationToken);

    public Task<ControlResult<IPAddress>> CreatePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default)
        => inner.CreatePrefixAsync(interfaceId, prefix, cancellationToken);

    public Task<ControlResult<IReadOnlyList<PrefixInfo>>> ListPrefixesAsync(string interfaceId, CancellationToken cancellationToken = default)
        => inner.ListPrefixesAsync(interfaceId, cancellationToken);

    public Task<ControlResult> DeletePrefixAsync(string interfaceId, IpPrefix prefix, CancellationToken cancellationToken = default)
        => inner.DeletePrefixAsync(interfaceId, prefix, cancellationToken);

    public Task<ControlResult<IReadOnlyList<RouteInfo>>> ListRoutesAsync(uint vni, CancellationToken cancellationToken = default)
        => inner.ListRoutesAsync(vni, cancellationToken);

    public Task<ControlResult<IPAddress>> CreateVipAsync(string interfaceId, IPAddress vip, CancellationToken cancellationToken = default)
        => inner.CreateVipAsync(interfaceId, vip, cancellationToken);

    public Task<ControlResult<VipInfo>> GetVipAsync(string interfaceId, CancellationToken cancellationToken = default)
        => inner.GetVipAsync(interfaceId, cancellationToken);

    public Task<ControlResult> DeleteVipAsync(string interfaceId, CancellationToken cancellationToken = default)
        => inner.DeleteVipAsync(interfaceId, cancellationToken);
}
