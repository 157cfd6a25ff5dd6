using System.Collections.Concurrent;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Tests;

/// <summary>
/// Test stand-in for a NodeAgent's route subscriber: records what it receives. Nodes whose name starts with
/// <c>slow-</c> block every delivery until <see cref="Release"/> (a subscriber that stopped reading).
/// </summary>
public sealed class RecordingSubscriberGrain : Grain, IRouteSubscriberGrain
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<RouteDelta>> Received = new();
    private static readonly ConcurrentDictionary<string, int> Resyncs = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public static IReadOnlyList<RouteDelta> DeltasOf(string node) => Received.TryGetValue(node, out var q) ? [.. q] : [];

    public static int ResyncsOf(string node) => Resyncs.GetValueOrDefault(node);

    public static void Release(string node) => Gates.GetOrAdd(node, _ => new TaskCompletionSource()).TrySetResult();

    public async Task OnRouteDeltasAsync(uint vni, IReadOnlyList<RouteDelta> deltas)
    {
        var node = this.GetPrimaryKeyString();
        if (node.StartsWith("slow-", StringComparison.Ordinal))
        {
            await Gates.GetOrAdd(node, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        var queue = Received.GetOrAdd(node, _ => new ConcurrentQueue<RouteDelta>());
        foreach (var delta in deltas)
        {
            queue.Enqueue(delta);
        }
    }

    public Task OnResyncRequiredAsync(uint vni)
    {
        Resyncs.AddOrUpdate(this.GetPrimaryKeyString(), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
