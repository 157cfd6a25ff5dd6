using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronOrleans.Grains.Routing;

/// <summary>
/// Watches cluster membership on every control-plane silo; when a NodeAgent silo is declared dead and no
/// newer silo of the same node is starting or active, withdraws the node's routes and subscriptions (idempotent, so
/// several silos doing it is harmless).
/// </summary>
internal sealed partial class NodeLivenessWatcher(
    IClusterMembershipService membership,
    IGrainFactory grains,
    ILogger<NodeLivenessWatcher> logger) : BackgroundService
{
    /// <summary>
    /// How long a dead NodeAgent silo's routes are kept while a replacement may still appear. A restarted agent
    /// declares its older clone dead a moment before it inserts itself as Joining, so the first snapshot that shows the
    /// death does not show the replacement yet.
    /// </summary>
    internal static readonly TimeSpan ReplacementGrace = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<SiloAddress, bool> _handled = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status != SiloStatus.Dead || NodeAgentSilo.NodesOf(member.Name).Count == 0 || !_handled.TryAdd(member.SiloAddress, true))
                    {
                        continue;
                    }

                    if (!IsReplaced(snapshot, member))
                    {
                        _ = WithdrawUnlessReplacedAsync(member, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A newer silo of the same name that is starting or active replaces it: the node's new agent re-syncs its own routes.</summary>
    private static bool IsReplaced(ClusterMembershipSnapshot snapshot, ClusterMember dead)
        => snapshot.Members.Values.Any(m => m.Status is SiloStatus.Created or SiloStatus.Joining or SiloStatus.Active
            && m.Name == dead.Name && m.SiloAddress.Generation > dead.SiloAddress.Generation);

    private async Task WithdrawUnlessReplacedAsync(ClusterMember member, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(ReplacementGrace, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (IsReplaced(membership.CurrentSnapshot, member))
        {
            LogNodeSiloReplaced(logger, member.SiloAddress.ToString(), member.Name);
            return;
        }

        foreach (var node in NodeAgentSilo.NodesOf(member.Name))
        {
            LogNodeSiloDead(logger, node, member.SiloAddress.ToString());
            try
            {
                await grains.GetGrain<IRouteRegistryGrain>(0).OnNodeDeadAsync(node);
            }
            catch (Exception ex)
            {
                _handled.TryRemove(member.SiloAddress, out _); // try again on the next membership update
                LogWithdrawFailed(logger, ex, node);
            }
        }
    }

    [LoggerMessage(EventId = 1461, Level = LogLevel.Warning, Message = "NodeAgent silo {SiloAddress} of node {NodeId} declared dead; withdrawing its routes")]
    private static partial void LogNodeSiloDead(ILogger logger, string nodeId, string siloAddress);

    [LoggerMessage(EventId = 1463, Level = LogLevel.Information, Message = "NodeAgent silo {SiloAddress} ({SiloName}) was replaced by a restarted agent; keeping its routes for the new agent to re-sync")]
    private static partial void LogNodeSiloReplaced(ILogger logger, string siloAddress, string siloName);

    [LoggerMessage(EventId = 1462, Level = LogLevel.Error, Message = "Withdrawing the routes of dead node {NodeId} failed; will retry")]
    private static partial void LogWithdrawFailed(ILogger logger, Exception exception, string nodeId);
}
