using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.NodeAgent.DataPlane;
using Microsoft.Extensions.Options;

namespace IronOrleans.NodeAgent;

/// <summary>Registers each node, starts its agent grain (retrying until the cluster answers) and drives its ticks.</summary>
internal sealed partial class NodeAgentService(
    IGrainFactory grains,
    NodeDataPlanes planes,
    IOptions<NodeAgentOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<NodeAgentService> logger) : BackgroundService
{
    /// <summary>Nodes whose agent has started.</summary>
    public int StartedNodes { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The silo joins the cluster while the hosted services start; before it is active, grain calls fail (the cluster's
        // grain types are not known yet), so start the nodes once the host has started, not on a retry timer.
        if (!await HostStartedAsync(stoppingToken))
        {
            return;
        }

        var pending = options.Value.Nodes.ToList();
        var attempt = 0;
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            foreach (var node in pending.ToArray())
            {
                try
                {
                    await grains.GetGrain<INodeGrain>(node.Name).RegisterAsync(new NodeRegistration
                    {
                        Name = node.Name,
                        Zone = node.Zone,
                        Labels = new Dictionary<string, string>(node.Labels),
                        UnderlayPrefix = node.UnderlayPrefix ?? UnderlayPrefixOf(node),
                    });
                    await grains.GetGrain<INodeAgentGrain>(node.Name).StartAsync();
                    pending.Remove(node);
                    StartedNodes++;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    if (attempt < QuietStartAttempts)
                    {
                        LogStartPending(logger, node.Name, attempt, ex.Message); // usually the new silo has not learnt the cluster's grain types yet
                    }
                    else
                    {
                        LogStartFailed(logger, ex, node.Name, attempt);
                    }
                }
            }

            if (pending.Count > 0)
            {
                attempt++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 << Math.Min(attempt, 6))), stoppingToken);
            }
        }

        using var timer = new PeriodicTimer(options.Value.TickInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var node in planes.Nodes)
            {
                try
                {
                    await grains.GetGrain<INodeAgentGrain>(node).TickAsync();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogTickFailed(logger, ex, node);
                }
            }
        }
    }

    private async Task<bool> HostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string? UnderlayPrefixOf(NodeOptions node)
        => System.Net.IPAddress.TryParse(node.PacketCore.HostUnderlayAddress, out var address)
            ? new System.Net.IPNetwork(MaskTo64(address), 64).ToString()
            : null;

    private static System.Net.IPAddress MaskTo64(System.Net.IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes);
    }

    /// <summary>
    /// First attempts (about 1.5 s with the back-off) logged as information: right after a silo starts, its view of the
    /// cluster's grain types is still being fetched and the first calls fail routinely.
    /// </summary>
    private const int QuietStartAttempts = 4;

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Starting the agent of node {NodeId} did not succeed yet (attempt {Attempt}: {Reason}); retrying")]
    private static partial void LogStartPending(ILogger logger, string nodeId, int attempt, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Starting the agent of node {NodeId} failed (attempt {Attempt}); retrying")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string nodeId, int attempt);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Tick of node {NodeId} failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string nodeId);
}
