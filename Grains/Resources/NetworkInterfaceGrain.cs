using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Resources;

/// <summary>Transactional part of a NIC: identity, spec and the claims it holds.</summary>
[GenerateSerializer, Alias("ironorleans.state.nic")]
public sealed class NicRecord
{
    [Id(0)] public ResourceName Name { get; set; }
    [Id(1)] public Guid Uid { get; set; }
    [Id(2)] public NetworkInterfaceSpec? Spec { get; set; }
    [Id(3)] public Vni Vni { get; set; }
    [Id(4)] public Guid NetworkUid { get; set; }
    [Id(5)] public string? VirtualIpAddress { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public long SpecGeneration { get; set; }
}

/// <summary>Status part of a NIC, written only by its node (plain grain storage, outside transactions).</summary>
[GenerateSerializer, Alias("ironorleans.state.nic-status")]
public sealed class NicStatusRecord
{
    [Id(0)] public Guid Uid { get; set; }
    [Id(1)] public NetworkInterfaceStatusReport? Report { get; set; }
    [Id(2)] public DateTimeOffset LastStateTransitionTime { get; set; }
    [Id(3)] public long Generation { get; set; }
}

/// <summary>
/// A NIC. Ensure claims the NIC's internal IPs (unique per network) and its VirtualIP in one transaction
/// with the NIC's own spec; delete releases them in one transaction.
/// </summary>
internal sealed class NetworkInterfaceGrain(
    [TransactionalState("nic", IronOrleansNames.TransactionStore)] ITransactionalState<NicRecord> state,
    [PersistentState("nic-status", IronOrleansNames.GrainStorage)] IPersistentState<NicStatusRecord> status,
    IOptions<AllocationOptions> options,
    TimeProvider time) : Grain, INetworkInterfaceGrain
{
    private const string Kind = "NetworkInterface";
    private readonly AllocationOptions _options = options.Value;

    private ResourceName Name => ResourceName.Parse(this.GetPrimaryKeyString());

    public async Task<EnsureNetworkInterfaceResult> EnsureAsync(NetworkInterfaceSpec spec)
    {
        spec = Normalize(spec);
        var current = await state.PerformUpdate(Snapshot);
        if (current.Spec is not null)
        {
            CheckImmutable(current.Spec, spec);
            if (SpecEquals(current.Spec, spec))
            {
                return new EnsureNetworkInterfaceResult(ToInfo(current), Created: false);
            }

            return new EnsureNetworkInterfaceResult(await ApplyMutableAsync(current, spec), Created: false);
        }

        var network = await GrainFactory.GetGrain<INetworkGrain>(new ResourceName(Name.Namespace, spec.Network).Key).AttachAsync();
        var uid = Guid.NewGuid();
        foreach (var ip in spec.Ips)
        {
            await ClaimGrain(network.Uid, ip).ClaimAsync(ip, uid, Name.Name);
        }

        string? vipAddress = null;
        if (spec.VirtualIp is { } vipName)
        {
            vipAddress = (await VipGrain(vipName).ClaimAsync(new TargetReference(Name.Name, uid))).Address;
        }

        await IndexGrain().AddAsync(Name.Name);
        var created = new NicRecord
        {
            Name = Name,
            Uid = uid,
            Spec = spec,
            Vni = network.Vni,
            NetworkUid = network.Uid,
            VirtualIpAddress = vipAddress,
            CreatedAt = time.GetUtcNow(),
            SpecGeneration = 1,
        };
        await state.PerformUpdate(s => Copy(created, s));
        return new EnsureNetworkInterfaceResult(ToInfo(created), Created: true);
    }

    public async Task<NetworkInterfaceInfo> UpdateAsync(NetworkInterfaceSpec spec, Guid? expectedUid)
    {
        spec = Normalize(spec);
        var current = await state.PerformUpdate(Snapshot);
        if (current.Spec is null)
        {
            throw new ResourceNotFoundException(Kind, Name.Key);
        }

        CheckUid(current, expectedUid);
        CheckImmutable(current.Spec, spec);
        return SpecEquals(current.Spec, spec) ? ToInfo(current) : await ApplyMutableAsync(current, spec);
    }

    public async Task<NetworkInterfaceInfo> GetAsync()
    {
        var current = await state.PerformRead(Snapshot);
        return current.Spec is null ? throw new ResourceNotFoundException(Kind, Name.Key) : ToInfo(current);
    }

    public async Task<NetworkInterfaceInfo?> DeleteAsync(Guid? expectedUid)
    {
        var current = await state.PerformUpdate(Snapshot);
        if (current.Spec is null)
        {
            return null;
        }

        CheckUid(current, expectedUid);
        foreach (var ip in current.Spec.Ips)
        {
            await ClaimGrain(current.NetworkUid, ip).ReleaseAsync(ip, current.Uid);
        }

        if (current.Spec.VirtualIp is { } vipName)
        {
            await VipGrain(vipName).ReleaseAsync(current.Uid);
        }

        await IndexGrain().RemoveAsync(Name.Name);
        await state.PerformUpdate(s => Copy(new NicRecord(), s));
        return ToInfo(current);
    }

    public async Task<NetworkInterfaceInfo?> ReportStatusAsync(NetworkInterfaceStatusReport report)
    {
        if (report.State == NetworkInterfaceState.Ready && (report.PciAddress is null) == (report.TapDevice is null))
        {
            throw new InvalidFieldException("status", "a Ready network interface has exactly one of PCI address or TAP device");
        }

        var current = await state.PerformRead(Snapshot);
        if (current.Spec is null || current.Uid != report.Uid)
        {
            return null; // a report for a deleted or re-created NIC: the node will learn from its next snapshot
        }

        var previous = status.State.Uid == current.Uid ? status.State.Report : null;
        if (previous is not null && ReportEquals(previous, report))
        {
            return ToInfo(current);
        }

        var now = time.GetUtcNow();
        status.State = new NicStatusRecord
        {
            Uid = current.Uid,
            Report = report,
            LastStateTransitionTime = previous?.State == report.State ? status.State.LastStateTransitionTime : now,
            Generation = status.State.Generation + 1,
        };
        await status.WriteStateAsync();
        return ToInfo(current);
    }

    private async Task<NetworkInterfaceInfo> ApplyMutableAsync(NicRecord current, NetworkInterfaceSpec spec)
    {
        var vipAddress = current.VirtualIpAddress;
        if (!string.Equals(current.Spec!.VirtualIp, spec.VirtualIp, StringComparison.Ordinal))
        {
            if (current.Spec.VirtualIp is { } oldVip)
            {
                await VipGrain(oldVip).ReleaseAsync(current.Uid);
                vipAddress = null;
            }

            if (spec.VirtualIp is { } newVip)
            {
                vipAddress = (await VipGrain(newVip).ClaimAsync(new TargetReference(Name.Name, current.Uid))).Address;
            }
        }

        var updated = Clone(current);
        updated.Spec = spec;
        updated.VirtualIpAddress = vipAddress;
        updated.SpecGeneration++;
        await state.PerformUpdate(s => Copy(updated, s));
        return ToInfo(updated);
    }

    private NetworkInterfaceInfo ToInfo(NicRecord s)
    {
        var report = status.State.Uid == s.Uid ? status.State.Report : null;
        return new NetworkInterfaceInfo
        {
            Name = s.Name,
            Uid = s.Uid,
            Spec = s.Spec!,
            Vni = s.Vni,
            NetworkUid = s.NetworkUid,
            CreatedAt = s.CreatedAt,
            ResourceVersion = s.SpecGeneration + (status.State.Uid == s.Uid ? status.State.Generation : 0),
            Status = new NetworkInterfaceStatus
            {
                State = report?.State ?? NetworkInterfaceState.Pending,
                PciAddress = report?.PciAddress,
                TapDevice = report?.TapDevice,
                Message = report?.Message,
                Ips = s.Spec!.Ips,
                Prefixes = report?.Prefixes ?? [],
                VirtualIpAddress = s.VirtualIpAddress,
                UnderlayAddress = report?.UnderlayAddress,
                LastStateTransitionTime = report is null ? s.CreatedAt : status.State.LastStateTransitionTime,
            },
        };
    }

    private static void CheckUid(NicRecord current, Guid? expectedUid)
    {
        if (expectedUid is { } uid && uid != current.Uid)
        {
            throw new FailedPreconditionException("UID_MISMATCH", $"network interface '{current.Name}' has uid {current.Uid}, not {uid}");
        }
    }

    private static void CheckImmutable(NetworkInterfaceSpec current, NetworkInterfaceSpec wanted)
    {
        if (!string.Equals(current.Network, wanted.Network, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("spec.network", $"spec.network is immutable (is '{current.Network}')");
        }

        if (!string.Equals(current.Node, wanted.Node, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("spec.node", $"spec.node is immutable (is '{current.Node}')");
        }

        if (!current.Ips.SequenceEqual(wanted.Ips, StringComparer.Ordinal))
        {
            throw new InvalidFieldException("spec.ips", $"spec.ips is immutable (is [{string.Join(", ", current.Ips)}])");
        }

        if (!string.Equals(current.Hostname, wanted.Hostname, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("spec.hostname", "spec.hostname is immutable");
        }

        if (!MapEquals(current.Attributes, wanted.Attributes))
        {
            throw new InvalidFieldException("spec.attributes", "spec.attributes is immutable");
        }
    }

    private static bool SpecEquals(NetworkInterfaceSpec a, NetworkInterfaceSpec b)
        => a.Prefixes.SequenceEqual(b.Prefixes, StringComparer.Ordinal)
            && string.Equals(a.VirtualIp, b.VirtualIp, StringComparison.Ordinal)
            && MapEquals(a.Labels, b.Labels);

    private static bool ReportEquals(NetworkInterfaceStatusReport a, NetworkInterfaceStatusReport b)
        => a.State == b.State && a.PciAddress == b.PciAddress && a.TapDevice == b.TapDevice && a.Message == b.Message
            && a.UnderlayAddress == b.UnderlayAddress && a.Prefixes.SequenceEqual(b.Prefixes, StringComparer.Ordinal);

    private static bool MapEquals(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && string.Equals(v, kv.Value, StringComparison.Ordinal));

    /// <summary>Canonical addresses and a stable order, so equal intents compare equal.</summary>
    private static NetworkInterfaceSpec Normalize(NetworkInterfaceSpec spec) => spec with
    {
        Ips = spec.Ips.Select(Validate.Canonical).OrderBy(ip => ip.Contains(':', StringComparison.Ordinal)).ToArray(),
        Prefixes = spec.Prefixes.Select(p => Validate.TryParsePrefix(p, out var n) ? n.ToString() : p).Order(StringComparer.Ordinal).ToArray(),
    };

    private static NicRecord Snapshot(NicRecord s) => Clone(s);

    private static NicRecord Clone(NicRecord s)
    {
        var copy = new NicRecord();
        Copy(s, copy);
        return copy;
    }

    private static void Copy(NicRecord from, NicRecord to)
    {
        to.Name = from.Name;
        to.Uid = from.Uid;
        to.Spec = from.Spec;
        to.Vni = from.Vni;
        to.NetworkUid = from.NetworkUid;
        to.VirtualIpAddress = from.VirtualIpAddress;
        to.CreatedAt = from.CreatedAt;
        to.SpecGeneration = from.SpecGeneration;
    }

    private INetworkIpClaimGrain ClaimGrain(Guid networkUid, string ip)
        => GrainFactory.GetGrain<INetworkIpClaimGrain>(NetworkIpClaimGrain.KeyFor(networkUid, ip, _options.InternalIpClaimShards));

    private IVirtualIpGrain VipGrain(string name) => GrainFactory.GetGrain<IVirtualIpGrain>(new ResourceName(Name.Namespace, name).Key);

    private IResourceIndexGrain IndexGrain()
        => GrainFactory.GetGrain<IResourceIndexGrain>(
            ResourceIndexGrain.KeyFor(ResourceKind.NetworkInterface, Name.Namespace, Name.Name, _options.IndexShards));
}
