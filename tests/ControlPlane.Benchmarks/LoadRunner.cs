using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using IronOrleans.Testing;

namespace IronOrleans.ControlPlane.Benchmarks;

/// <summary>The measured outcome of one scenario.</summary>
internal sealed record ScenarioResult(string Name, int Clients, int Attempted, int Succeeded, TimeSpan Duration, Latencies Latencies,
    IReadOnlyDictionary<string, int> Errors, bool HitDurationLimit)
{
    public double PerSecond => Succeeded / Duration.TotalSeconds;
}

/// <summary>Runs operation <c>i</c> for i in 0..count-1 on N concurrent clients, bounded in count and time.</summary>
internal static class LoadRunner
{
    public static async Task<ScenarioResult> RunAsync(
        string name, int clients, int count, TimeSpan durationLimit, Func<int, int, Task> operation)
    {
        var next = -1;
        var succeeded = 0;
        var attempted = 0;
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var latencies = new List<long>[clients];
        using var limit = new CancellationTokenSource(durationLimit);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var mine = latencies[client] = new List<long>(count / clients + 1);
            while (!limit.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }

                Interlocked.Increment(ref attempted);
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await operation(client, i);
                    mine.Add(Stopwatch.GetTimestamp() - t0);
                    Interlocked.Increment(ref succeeded);
                }
                catch (RpcException e)
                {
                    errors.AddOrUpdate(e.StatusCode.ToString(), 1, (_, n) => n + 1);
                }
            }
        }));
        await Task.WhenAll(workers);
        var duration = Stopwatch.GetElapsedTime(started);
        var all = new Latencies(latencies.Where(l => l is not null).SelectMany(l => l));
        return new ScenarioResult(name, clients, attempted, succeeded, duration, all, errors, limit.IsCancellationRequested && attempted < count);
    }
}
