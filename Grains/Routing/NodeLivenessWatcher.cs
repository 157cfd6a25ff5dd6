using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronOrleans.Grains.Routing;

/// <summary>
/// Watches cluster membership on every control-plane silo; when a NodeAgent silo is declared dead and no
/// newer silo of the same node is active, withdraws the node's routes and subscriptions (idempotent, so
/// several silos doing it is harmless).
/// </summary>
internal sealed partial class NodeLivenessWatcher(
    IClusterMembershipService membership,
    IGrainFactory grains,
    ILogger<NodeLivenessWatcher> logger) : BackgroundService
{
    private readonly HashSet<SiloAddress> _handled = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status != SiloStatus.Dead || NodeAgentSilo.NodesOf(member.Name).Count == 0 || !_handled.Add(member.SiloAddress))
                    {
                        continue;
                    }

                    var replaced = snapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && m.Name == member.Name
                        && m.SiloAddress.Generation > member.SiloAddress.Generation);
                    if (replaced)
                    {
                        continue; // the node's new agent re-syncs its own routes
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
                            _handled.Remove(member.SiloAddress); // try again on the next membership update
                            LogWithdrawFailed(logger, ex, node);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1461, Level = LogLevel.Warning, Message = "NodeAgent silo {SiloAddress} of node {NodeId} declared dead; withdrawing its routes")]
    private static partial void LogNodeSiloDead(ILogger logger, string nodeId, string siloAddress);

    [LoggerMessage(EventId = 1462, Level = LogLevel.Error, Message = "Withdrawing the routes of dead node {NodeId} failed; will retry")]
    private static partial void LogWithdrawFailed(ILogger logger, Exception exception, string nodeId);
}
