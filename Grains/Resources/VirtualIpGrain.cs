using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Resources;

/// <summary>Transactional state of a VirtualIP.</summary>
[GenerateSerializer, Alias("ironorleans.state.virtualip")]
public sealed class VirtualIpState
{
    [Id(0)] public VirtualIpInfo? Info { get; set; }

    /// <summary>The pool shard the address came from.</summary>
    [Id(1)] public string? Shard { get; set; }
}

/// <summary>A VirtualIP: the public address is allocated on create, independent of any NIC (IronCore's semantics).</summary>
internal sealed class VirtualIpGrain(
    [TransactionalState("vip", IronOrleansNames.TransactionStore)] ITransactionalState<VirtualIpState> state,
    IOptions<AllocationOptions> options,
    GrainsInstruments instruments,
    TimeProvider time) : Grain, IVirtualIpGrain
{
    private const string Kind = "VirtualIP";
    private readonly AllocationOptions _options = options.Value;
    private readonly PublicIpLayout _layout = new(options.Value);

    private ResourceName Name => ResourceName.Parse(this.GetPrimaryKeyString());

    public async Task<VirtualIpInfo> CreateAsync(VirtualIpCreateRequest request)
    {
        var existing = await state.PerformUpdate(s => s.Info);
        if (existing is not null)
        {
            throw new ResourceAlreadyExistsException("VIRTUALIP_EXISTS", $"VirtualIP '{Name}' already exists (uid {existing.Uid})");
        }

        var uid = Guid.NewGuid();
        var (shard, address) = await AllocateAsync(request.Family, uid);
        await GrainFactory.GetGrain<IResourceIndexGrain>(
            ResourceIndexGrain.KeyFor(ResourceKind.VirtualIp, Name.Namespace, Name.Name, _options.IndexShards)).AddAsync(Name.Name);
        var info = new VirtualIpInfo
        {
            Name = Name,
            Uid = uid,
            Family = request.Family,
            Address = address,
            Labels = request.Labels,
            CreatedAt = time.GetUtcNow(),
        };
        await state.PerformUpdate(s =>
        {
            s.Info = info;
            s.Shard = shard;
        });
        return info;
    }

    public Task<VirtualIpInfo> GetAsync() => state.PerformRead(s => s.Info ?? throw new ResourceNotFoundException(Kind, Name.Key));

    public Task<VirtualIpInfo> ClaimAsync(TargetReference target)
        => state.PerformUpdate(s =>
        {
            var info = s.Info ?? throw new ResourceNotFoundException(Kind, Name.Key);
            if (info.Target is { } holder && holder.Uid != target.Uid)
            {
                throw new FailedPreconditionException(
                    "VIRTUALIP_CLAIMED", $"VirtualIP '{Name}' is already claimed by '{holder.Name}' (uid {holder.Uid})");
            }

            if (info.Target is null)
            {
                s.Info = info with { Target = target };
            }

            return s.Info;
        });

    public Task ReleaseAsync(Guid targetUid)
        => state.PerformUpdate(s =>
        {
            if (s.Info is { Target: { } holder } info && holder.Uid == targetUid)
            {
                s.Info = info with { Target = null };
            }
        });

    public async Task<VirtualIpInfo> DeleteAsync(Guid? expectedUid)
    {
        var (info, shard) = await state.PerformUpdate(s => (s.Info, s.Shard));
        if (info is null)
        {
            throw new ResourceNotFoundException(Kind, Name.Key);
        }

        if (expectedUid is { } uid && uid != info.Uid)
        {
            throw new FailedPreconditionException("UID_MISMATCH", $"VirtualIP '{Name}' has uid {info.Uid}, not {uid}");
        }

        if (info.Target is { } holder)
        {
            throw new FailedPreconditionException(
                "VIRTUALIP_CLAIMED", $"VirtualIP '{Name}' is claimed by network interface '{holder.Name}'; remove it from that interface first");
        }

        await GrainFactory.GetGrain<IPublicIpShardGrain>(shard!).ReleaseAsync(info.Address);
        await GrainFactory.GetGrain<IResourceIndexGrain>(
            ResourceIndexGrain.KeyFor(ResourceKind.VirtualIp, Name.Namespace, Name.Name, _options.IndexShards)).RemoveAsync(Name.Name);
        await state.PerformUpdate(s =>
        {
            s.Info = null;
            s.Shard = null;
        });
        return info;
    }

    private async Task<(string Shard, string Address)> AllocateAsync(IpFamily family, Guid uid)
    {
        var shards = _layout.ShardCount(family);
        if (shards == 0)
        {
            throw new FailedPreconditionException(
                "NO_PUBLIC_PREFIX", $"no public {family} prefix is configured, so no {family} VirtualIP can be allocated");
        }

        var start = (int)(KeyHash.Of(uid) % (uint)shards);
        for (var n = 0; n < shards; n++)
        {
            var key = PublicIpLayout.ShardKey(family, (start + n) % shards);
            var address = await GrainFactory.GetGrain<IPublicIpShardGrain>(key).AllocateAsync(uid);
            if (address is not null)
            {
                return (key, address);
            }
        }

        instruments.OnExhausted("public-ip");
        throw new ResourceExhaustedException(
            "PUBLIC_IP_POOL_EXHAUSTED", $"all {_layout.Capacity(family)} public {family} addresses are in use");
    }
}
