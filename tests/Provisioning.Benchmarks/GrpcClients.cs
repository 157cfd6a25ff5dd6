using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Provider.V1;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// The Gateway's clients over h2c: one channel per provisioning client, and one node watch
/// (<c>WatchNetworkInterfaces</c>) per simulated hypervisor that turns READY / ERROR events into tracker reports.
/// </summary>
internal sealed class GrpcClients : IAsyncDisposable
{
    private readonly List<GrpcChannel> _channels = [];
    private readonly List<Task> _watches = [];
    private readonly CancellationTokenSource _stop = new();

    public GrpcClients(Uri gateway, int clients)
    {
        for (var i = 0; i < clients; i++)
        {
            _channels.Add(GrpcChannel.ForAddress(gateway));
        }

        Providers = [.. _channels.Select(c => new ProviderService.ProviderServiceClient(c))];
        Networks = new NetworkService.NetworkServiceClient(_channels[0]);
        NetworkInterfaces = new NetworkInterfaceService.NetworkInterfaceServiceClient(_channels[0]);
        Gateway = gateway;
    }

    public Uri Gateway { get; }

    public ProviderService.ProviderServiceClient[] Providers { get; }

    public NetworkService.NetworkServiceClient Networks { get; }

    public NetworkInterfaceService.NetworkInterfaceServiceClient NetworkInterfaces { get; }

    /// <summary>Watch restarts after a stream error (should stay 0).</summary>
    public int WatchRestarts;

    /// <summary>Opens a watch per node and waits (bounded) until each has sent SYNCED.</summary>
    public async Task WatchAsync(IEnumerable<string> nodes, RouteTracker tracker, TimeSpan timeout)
    {
        var synced = new List<Task>();
        foreach (var group in nodes.Chunk(25))
        {
            var channel = GrpcChannel.ForAddress(Gateway);
            _channels.Add(channel);
            var client = new ProviderService.ProviderServiceClient(channel);
            foreach (var node in group)
            {
                var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                synced.Add(first.Task);
                _watches.Add(Task.Run(() => WatchNodeAsync(client, node, tracker, first)));
            }
        }

        await Task.WhenAll(synced).WaitAsync(timeout);
    }

    private async Task WatchNodeAsync(ProviderService.ProviderServiceClient client, string node, RouteTracker tracker, TaskCompletionSource synced)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var call = client.WatchNetworkInterfaces(new IronOrleans.Gateway.Provider.V1.WatchNetworkInterfacesRequest { Node = node }, cancellationToken: _stop.Token);
                await foreach (var ev in call.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    var at = Stopwatch.GetTimestamp();
                    if (ev.Type == IronOrleans.Gateway.Provider.V1.WatchEventType.Synced)
                    {
                        synced.TrySetResult();
                    }

                    if (ev.NetworkInterface is not { } nic)
                    {
                        continue;
                    }

                    if (nic.State == IronOrleans.Gateway.Provider.V1.NetworkInterfaceState.Ready)
                    {
                        tracker.OnReady(nic.Name, at);
                    }
                    else if (nic.State == IronOrleans.Gateway.Provider.V1.NetworkInterfaceState.Error)
                    {
                        tracker.OnError(nic.Name, nic.Message);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                Interlocked.Increment(ref WatchRestarts);
                Console.Error.WriteLine($"watch of {node} broke ({e.StatusCode}); re-opening");
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_watches).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _stop.Dispose();
    }
}
