using System.Collections.Concurrent;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Tests;

/// <summary>The push path of node events: observers registered on a node grain (NodeAgent grains, Gateway watchers).</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class NodeWatchClusterTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Observers_GetEventsInOrder_AndAFailingOrStuckOneHoldsBackNobody()
    {
        var ns = "t" + Guid.NewGuid().ToString("N")[..10];
        var node = "watch-" + ns;
        await fixture.ControlPlane.CreateNetworkAsync(new ResourceName(ns, "net"), new NetworkCreateRequest());
        var nodeGrain = fixture.Grains.GetGrain<INodeGrain>(node);

        var good = new Recorder();
        var stuck = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var failing = new Recorder { Fail = true };
        var goodRef = fixture.Cluster.Client.CreateObjectReference<INodeEventObserver>(good);
        var stuckRef = fixture.Cluster.Client.CreateObjectReference<INodeEventObserver>(stuck);
        var failingRef = fixture.Cluster.Client.CreateObjectReference<INodeEventObserver>(failing);
        try
        {
            var start = await nodeGrain.WatchAsync(goodRef);
            Assert.Equal(start, await nodeGrain.WatchAsync(goodRef)); // idempotent
            await nodeGrain.WatchAsync(stuckRef);
            await nodeGrain.WatchAsync(failingRef);

            const int nics = 20;
            await Task.WhenAll(Enumerable.Range(0, nics).Select(i => fixture.ControlPlane.EnsureNetworkInterfaceAsync(
                new ResourceName(ns, $"nic-{i}"),
                new NetworkInterfaceSpec { Network = "net", Node = node, Ips = [$"10.3.0.{i + 1}"] })));

            // The good observer gets every event, in version order, while the other two are stuck or failed.
            await good.WaitForCountAsync(nics, Patience);
            await WaitUntilAsync(() => failing.Calls >= 1);
            Assert.Equal(Enumerable.Range(1, nics).Select(i => start + i), good.Versions);
            Assert.Equal(
                Enumerable.Range(0, nics).Select(i => $"nic-{i}").Order(StringComparer.Ordinal),
                good.Events.Select(e => e.Interface.Name.Name).Order(StringComparer.Ordinal));
            Assert.All(good.Events, e => Assert.Equal(NodeEventType.Upserted, e.Type));
            Assert.Equal(1, failing.Calls);

            // Released, the stuck observer catches up in order: it was queued for, not dropped.
            stuck.Gate.SetResult();
            await stuck.WaitForCountAsync(nics, Patience);
            Assert.Equal(good.Versions, stuck.Versions);

            // The failing observer was dropped: the next change reaches the others but not it, until it registers again.
            await fixture.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "nic-0"), null);
            await good.WaitForCountAsync(nics + 1, Patience);
            await stuck.WaitForCountAsync(nics + 1, Patience);
            Assert.Equal(NodeEventType.Removed, good.Events[^1].Type);
            Assert.Equal(1, failing.Calls);

            failing.Fail = false;
            var again = await nodeGrain.WatchAsync(failingRef);
            Assert.Equal(start + nics + 1, again);
            await fixture.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "nic-1"), null);
            await failing.WaitForCountAsync(1, Patience);
            Assert.Equal([again + 1], failing.Versions);

            // Unwatched, an observer gets nothing more.
            await stuck.WaitForCountAsync(nics + 2, Patience);
            await nodeGrain.UnwatchAsync(stuckRef);
            await fixture.ControlPlane.DeleteNetworkInterfaceAsync(new ResourceName(ns, "nic-2"), null);
            await good.WaitForCountAsync(nics + 3, Patience);
            await failing.WaitForCountAsync(2, Patience);
            Assert.Equal(nics + 2, stuck.Versions.Count);
        }
        finally
        {
            stuck.Gate.TrySetResult();
            fixture.Cluster.Client.DeleteObjectReference<INodeEventObserver>(goodRef);
            fixture.Cluster.Client.DeleteObjectReference<INodeEventObserver>(stuckRef);
            fixture.Cluster.Client.DeleteObjectReference<INodeEventObserver>(failingRef);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private sealed class Recorder : INodeEventObserver
    {
        private readonly ConcurrentQueue<NodeEvent> _events = new();
        private int _calls;

        public TaskCompletionSource Gate { get; init; } = CompletedGate();

        public bool Fail { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public IReadOnlyList<NodeEvent> Events => [.. _events];

        public IReadOnlyList<long> Versions => [.. _events.Select(e => e.Version)];

        public async Task OnNodeEventsAsync(IReadOnlyList<NodeEvent> events)
        {
            Interlocked.Increment(ref _calls);
            if (Fail)
            {
                throw new InvalidOperationException("this observer fails every push");
            }

            await Gate.Task;
            foreach (var ev in events)
            {
                _events.Enqueue(ev);
            }
        }

        public async Task WaitForCountAsync(int count, TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            while (_events.Count < count)
            {
                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"observer got {_events.Count} of {count} events in {limit}");
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }
    }
}
