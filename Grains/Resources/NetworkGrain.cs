using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Resources;

/// <summary>Transactional state of a network.</summary>
[GenerateSerializer, Alias("ironorleans.state.network")]
public sealed class NetworkState
{
    [Id(0)] public NetworkInfo? Info { get; set; }
}

/// <summary>A network: its VNI comes from a <see cref="IVniAllocatorGrain"/> shard in the network's own transaction.</summary>
internal sealed class NetworkGrain(
    [TransactionalState("network", IronOrleansNames.TransactionStore)] ITransactionalState<NetworkState> state,
    IOptions<AllocationOptions> options,
    GrainsInstruments instruments,
    TimeProvider time) : Grain, INetworkGrain
{
    private const string Kind = "Network";
    private readonly AllocationOptions _options = options.Value;

    private ResourceName Name => ResourceName.Parse(this.GetPrimaryKeyString());

    public async Task<NetworkInfo> CreateAsync(NetworkCreateRequest request)
    {
        var existing = await state.PerformUpdate(s => s.Info);
        if (existing is not null)
        {
            throw new ResourceAlreadyExistsException("NETWORK_EXISTS", $"network '{Name}' already exists (uid {existing.Uid})");
        }

        var uid = Guid.NewGuid();
        var vni = request.RequestedVni is { } wanted ? await TakeSpecificAsync(wanted, uid) : await TakeAnyAsync(uid);
        await GrainFactory.GetGrain<IResourceIndexGrain>(
            ResourceIndexGrain.KeyFor(ResourceKind.Network, Name.Namespace, Name.Name, _options.IndexShards)).AddAsync(Name.Name);

        var info = new NetworkInfo
        {
            Name = Name,
            Uid = uid,
            Vni = new Vni(vni),
            Labels = request.Labels,
            CreatedAt = time.GetUtcNow(),
        };
        await state.PerformUpdate(s => s.Info = info);
        return info;
    }

    public Task<NetworkInfo> GetAsync() => state.PerformRead(s => s.Info ?? throw new ResourceNotFoundException(Kind, Name.Key));

    public Task<NetworkInfo> AttachAsync() => GetAsync();

    public async Task<NetworkInfo> DeleteAsync(Guid? expectedUid)
    {
        var info = await state.PerformUpdate(s => s.Info) ?? throw new ResourceNotFoundException(Kind, Name.Key);
        if (expectedUid is { } uid && uid != info.Uid)
        {
            throw new FailedPreconditionException("UID_MISMATCH", $"network '{Name}' has uid {info.Uid}, not {uid}");
        }

        // A NIC joining this network holds a read lock on it until its transaction ends, so these counts are stable.
        var counts = await Task.WhenAll(Enumerable.Range(0, _options.InternalIpClaimShards)
            .Select(i => GrainFactory.GetGrain<INetworkIpClaimGrain>($"{info.Uid:N}/{i}").CountAsync()));
        var inUse = counts.Sum();
        if (inUse > 0)
        {
            throw new FailedPreconditionException(
                "NETWORK_IN_USE", $"network '{Name}' still has {inUse} internal IP(s) claimed by network interfaces; delete them first");
        }

        await GrainFactory.GetGrain<IVniAllocatorGrain>(VniAllocatorGrain.ShardOf(_options, info.Vni.Value)).ReleaseAsync(info.Vni.Value);
        await GrainFactory.GetGrain<IResourceIndexGrain>(
            ResourceIndexGrain.KeyFor(ResourceKind.Network, Name.Namespace, Name.Name, _options.IndexShards)).RemoveAsync(Name.Name);
        await state.PerformUpdate(s => s.Info = null);
        return info;
    }

    private async Task<uint> TakeSpecificAsync(uint vni, Guid uid)
    {
        if (vni < _options.MinVni || vni > _options.MaxVni)
        {
            throw new InvalidFieldException("spec.vni", $"spec.vni: {vni} is outside the configured range {_options.MinVni}..{_options.MaxVni}");
        }

        var shard = GrainFactory.GetGrain<IVniAllocatorGrain>(VniAllocatorGrain.ShardOf(_options, vni));
        return await shard.AllocateSpecificAsync(vni, uid)
            ? vni
            : throw new ResourceAlreadyExistsException("VNI_IN_USE", $"VNI {vni} is already used by another network");
    }

    private async Task<uint> TakeAnyAsync(Guid uid)
    {
        var shards = VniAllocatorGrain.ShardCount(_options);
        var start = (int)(KeyHash.Of(uid) % (uint)shards);
        for (var n = 0; n < shards; n++)
        {
            var vni = await GrainFactory.GetGrain<IVniAllocatorGrain>((start + n) % shards).AllocateAsync(uid);
            if (vni is { } value)
            {
                return value;
            }
        }

        instruments.OnExhausted("vni");
        throw new ResourceExhaustedException(
            "VNI_RANGE_EXHAUSTED", $"all VNIs in {_options.MinVni}..{_options.MaxVni} are in use");
    }
}
