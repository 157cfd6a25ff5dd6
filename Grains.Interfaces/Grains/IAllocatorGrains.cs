using IronOrleans.Grains.Model;
using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// One shard of the VNI range (integer key = shard index). Holds a bitmap of taken VNIs; changes only
/// inside the transaction of the network that takes or frees a VNI.
/// </summary>
[Alias("ironorleans.IVniAllocatorGrain")]
public interface IVniAllocatorGrain : IGrainWithIntegerKey
{
    /// <summary>Takes a free VNI, or returns null when the shard is full.</summary>
    [Transaction(TransactionOption.Join), Alias("allocate")]
    Task<uint?> AllocateAsync(Guid owner);

    /// <summary>Takes a specific VNI; false when already taken.</summary>
    [Transaction(TransactionOption.Join), Alias("allocate-specific")]
    Task<bool> AllocateSpecificAsync(uint vni, Guid owner);

    /// <summary>Frees a VNI; a no-op when it is already free.</summary>
    [Transaction(TransactionOption.Join), Alias("release")]
    Task ReleaseAsync(uint vni);

    [Transaction(TransactionOption.CreateOrJoin), Alias("usage"), ReadOnly]
    Task<AllocatorUsage> GetUsageAsync();
}

/// <summary>One shard of the public IP pool of one family (key <c>IPv4/3</c>): a bitmap over a slice of a configured prefix.</summary>
[Alias("ironorleans.IPublicIpShardGrain")]
public interface IPublicIpShardGrain : IGrainWithStringKey
{
    /// <summary>Takes a free address, or returns null when the shard is full.</summary>
    [Transaction(TransactionOption.Join), Alias("allocate")]
    Task<string?> AllocateAsync(Guid owner);

    /// <summary>Frees an address; a no-op when it is already free.</summary>
    [Transaction(TransactionOption.Join), Alias("release")]
    Task ReleaseAsync(string address);

    [Transaction(TransactionOption.CreateOrJoin), Alias("usage"), ReadOnly]
    Task<AllocatorUsage> GetUsageAsync();
}

/// <summary>
/// One shard of a network's internal-IP claims (key <c>networkUid/shard</c>, shard chosen by the address),
/// so an internal IP is held by at most one NIC per network.
/// </summary>
[Alias("ironorleans.INetworkIpClaimGrain")]
public interface INetworkIpClaimGrain : IGrainWithStringKey
{
    /// <summary>Claims <paramref name="ip"/> for a NIC; idempotent for the same NIC; throws <c>IP_IN_USE</c> otherwise.</summary>
    [Transaction(TransactionOption.Join), Alias("claim")]
    Task ClaimAsync(string ip, Guid nicUid, string nicName);

    /// <summary>Releases the claim if <paramref name="nicUid"/> holds it.</summary>
    [Transaction(TransactionOption.Join), Alias("release")]
    Task ReleaseAsync(string ip, Guid nicUid);

    /// <summary>Number of claims in this shard.</summary>
    [Transaction(TransactionOption.Join), Alias("count"), ReadOnly]
    Task<int> CountAsync();
}

/// <summary>One shard of a namespace's name index for one kind (key <c>kind/namespace/shard</c>).</summary>
[Alias("ironorleans.IResourceIndexGrain")]
public interface IResourceIndexGrain : IGrainWithStringKey
{
    [Transaction(TransactionOption.Join), Alias("add")]
    Task AddAsync(string name);

    [Transaction(TransactionOption.Join), Alias("remove")]
    Task RemoveAsync(string name);

    /// <summary>Names after <paramref name="after"/> (exclusive), ordered, at most <paramref name="limit"/>.</summary>
    [Transaction(TransactionOption.CreateOrJoin), Alias("list"), ReadOnly]
    Task<IReadOnlyList<string>> ListAsync(string? after, int limit);
}
