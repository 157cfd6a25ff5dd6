using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Transactions;

namespace IronOrleans.Grains;

/// <summary>
/// The write path. Each operation runs the resource grain's transaction, retries transient aborts
/// (lock conflicts under load) with jittered back-off, unwraps domain errors from aborted
/// transactions, and after commit brings the node's desired state in line. Every step is idempotent,
/// so a caller that retries after a crash converges (libvirt-provider retries until Ready).
/// </summary>
[StatelessWorker, Reentrant]
internal sealed partial class ControlPlaneGrain(
    IOptions<AllocationOptions> options,
    GrainsInstruments instruments,
    ILogger<ControlPlaneGrain> logger) : Grain, IControlPlaneGrain
{
    private const int MaxAttempts = 10;
    private readonly AllocationOptions _options = options.Value;

    public Task<NetworkInfo> CreateNetworkAsync(ResourceName name, NetworkCreateRequest request)
        => RunAsync("create-network", () => GrainFactory.GetGrain<INetworkGrain>(name.Key).CreateAsync(request));

    public Task<NetworkInfo> DeleteNetworkAsync(ResourceName name, Guid? expectedUid)
        => RunAsync("delete-network", () => GrainFactory.GetGrain<INetworkGrain>(name.Key).DeleteAsync(expectedUid));

    public Task<VirtualIpInfo> CreateVirtualIpAsync(ResourceName name, VirtualIpCreateRequest request)
        => RunAsync("create-vip", () => GrainFactory.GetGrain<IVirtualIpGrain>(name.Key).CreateAsync(request));

    public Task<VirtualIpInfo> DeleteVirtualIpAsync(ResourceName name, Guid? expectedUid)
        => RunAsync("delete-vip", () => GrainFactory.GetGrain<IVirtualIpGrain>(name.Key).DeleteAsync(expectedUid));

    public async Task<EnsureNetworkInterfaceResult> EnsureNetworkInterfaceAsync(ResourceName name, NetworkInterfaceSpec spec)
    {
        var started = GrainsInstruments.Now();
        var result = await RunAsync("ensure-nic", () => GrainFactory.GetGrain<INetworkInterfaceGrain>(name.Key).EnsureAsync(spec));
        instruments.OnWritePhase("ensure-nic", "transaction", started);

        // Always, also when nothing changed: a previous attempt may have committed the NIC and died before this step.
        started = GrainsInstruments.Now();
        await Node(result.Interface).UpsertInterfaceAsync(result.Interface);
        instruments.OnWritePhase("ensure-nic", "node", started);
        if (result.Created)
        {
            LogNicCreated(logger, name.Key, result.Interface.Uid, result.Interface.Spec.Node, result.Interface.Vni.Value);
        }

        return result;
    }

    public async Task<NetworkInterfaceInfo> UpdateNetworkInterfaceAsync(ResourceName name, NetworkInterfaceSpec spec, Guid? expectedUid)
    {
        var info = await RunAsync("update-nic", () => GrainFactory.GetGrain<INetworkInterfaceGrain>(name.Key).UpdateAsync(spec, expectedUid));
        await Node(info).UpsertInterfaceAsync(info);
        return info;
    }

    public async Task<NetworkInterfaceInfo?> DeleteNetworkInterfaceAsync(ResourceName name, Guid? expectedUid)
    {
        var info = await RunAsync("delete-nic", () => GrainFactory.GetGrain<INetworkInterfaceGrain>(name.Key).DeleteAsync(expectedUid));
        if (info is not null)
        {
            await Node(info).RemoveInterfaceAsync(info.Name, info.Uid);
            LogNicDeleted(logger, name.Key, info.Uid, info.Spec.Node);
        }

        return info;
    }

    public async Task<NetworkInterfaceInfo?> ReportNetworkInterfaceStatusAsync(ResourceName name, NetworkInterfaceStatusReport report)
    {
        var started = GrainsInstruments.Now();
        var info = await RunAsync("report-nic-status", () => GrainFactory.GetGrain<INetworkInterfaceGrain>(name.Key).ReportStatusAsync(report));
        instruments.OnWritePhase("report-nic-status", "transaction", started);
        if (info is not null)
        {
            started = GrainsInstruments.Now();
            await Node(info).UpsertInterfaceAsync(info);
            instruments.OnWritePhase("report-nic-status", "node", started);
        }

        return info;
    }

    public async Task<Page<string>> ListNamesAsync(ResourceKind kind, string ns, string? pageToken, int pageSize)
    {
        pageSize = Math.Clamp(pageSize, 1, 1000);
        var shards = _options.IndexShards;
        var pages = await RunAsync("list", () => Task.WhenAll(Enumerable.Range(0, shards).Select(i =>
            GrainFactory.GetGrain<IResourceIndexGrain>(ResourceIndexGrain.ShardKey(kind, ns, i)).ListAsync(pageToken, pageSize + 1))));
        var merged = pages.SelectMany(p => p).Order(StringComparer.Ordinal).Take(pageSize + 1).ToList();
        var next = merged.Count > pageSize ? merged[pageSize - 1] : null;
        return new Page<string>(merged.Take(pageSize).ToList(), next);
    }

    private INodeGrain Node(NetworkInterfaceInfo nic) => GrainFactory.GetGrain<INodeGrain>(nic.Spec.Node);

    private async Task<T> RunAsync<T>(string operation, Func<Task<T>> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (DomainError(ex) is { } domain && !ReferenceEquals(domain, ex))
            {
                throw domain; // the transaction aborted because the grain refused: surface the refusal itself
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsTransient(ex))
            {
                instruments.OnRetry(operation);
                LogRetry(logger, operation, attempt, ex.GetType().Name);
                var backoff = Math.Min(500, 5 << Math.Min(attempt, 7));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(backoff / 2, backoff + 1)));
            }
        }
    }

    private static IronOrleansException? DomainError(Exception? ex)
    {
        for (var depth = 0; ex is not null && depth < 8; depth++, ex = ex.InnerException)
        {
            if (ex is IronOrleansException domain)
            {
                return domain;
            }
        }

        return null;
    }

    private static bool IsTransient(Exception ex) => ex is OrleansTransactionTransientFailureException
        or OrleansTransactionOverloadException
        or OrleansTransactionLockUpgradeException
        or OrleansBrokenTransactionLockException
        or OrleansCascadingAbortException
        or OrleansTransactionPrepareTimeoutException
        or OrleansTransactionAbortedException;
}
