using IronOrleans.Grains.Model;
using Orleans.Concurrency;

namespace IronOrleans.Grains;

/// <summary>
/// A network (one VNI), keyed <c>namespace/name</c>. Creation and deletion run through
/// <see cref="IControlPlaneGrain"/> so that retries and post-commit notifications live in one place.
/// </summary>
[Alias("ironorleans.INetworkGrain")]
public interface INetworkGrain : IGrainWithStringKey
{
    /// <summary>Creates the network and takes its VNI in the same transaction.</summary>
    [Transaction(TransactionOption.Create), Alias("create")]
    Task<NetworkInfo> CreateAsync(NetworkCreateRequest request);

    /// <summary>Reads the network; throws <c>NETWORK_NOT_FOUND</c>.</summary>
    [Transaction(TransactionOption.CreateOrJoin), Alias("get"), ReadOnly]
    Task<NetworkInfo> GetAsync();

    /// <summary>Reads the network for a NIC joining it (read lock for the rest of the transaction).</summary>
    [Transaction(TransactionOption.Join), Alias("attach"), ReadOnly]
    Task<NetworkInfo> AttachAsync();

    /// <summary>Deletes the network and releases its VNI; refuses while NICs use it.</summary>
    [Transaction(TransactionOption.Create), Alias("delete")]
    Task<NetworkInfo> DeleteAsync(Guid? expectedUid);
}

/// <summary>A VirtualIP (public address), keyed <c>namespace/name</c>.</summary>
[Alias("ironorleans.IVirtualIpGrain")]
public interface IVirtualIpGrain : IGrainWithStringKey
{
    /// <summary>Creates the VirtualIP and allocates its address from the public pool in the same transaction.</summary>
    [Transaction(TransactionOption.Create), Alias("create")]
    Task<VirtualIpInfo> CreateAsync(VirtualIpCreateRequest request);

    /// <summary>Reads the VirtualIP; throws <c>VIRTUALIP_NOT_FOUND</c>.</summary>
    [Transaction(TransactionOption.CreateOrJoin), Alias("get"), ReadOnly]
    Task<VirtualIpInfo> GetAsync();

    /// <summary>Claims the address for a target; idempotent for the same target uid.</summary>
    [Transaction(TransactionOption.Join), Alias("claim")]
    Task<VirtualIpInfo> ClaimAsync(TargetReference target);

    /// <summary>Releases the claim if <paramref name="targetUid"/> holds it; a no-op otherwise.</summary>
    [Transaction(TransactionOption.Join), Alias("release")]
    Task ReleaseAsync(Guid targetUid);

    /// <summary>Deletes the VirtualIP and frees its address; refuses while claimed.</summary>
    [Transaction(TransactionOption.Create), Alias("delete")]
    Task<VirtualIpInfo> DeleteAsync(Guid? expectedUid);
}

/// <summary>A NIC, keyed <c>namespace/name</c>: spec and claims are transactional, status is written by the node.</summary>
[Alias("ironorleans.INetworkInterfaceGrain")]
public interface INetworkInterfaceGrain : IGrainWithStringKey
{
    /// <summary>Creates the NIC or confirms an identical one; claims IPs and VirtualIP in one transaction.</summary>
    [Transaction(TransactionOption.Create), Alias("ensure")]
    Task<EnsureNetworkInterfaceResult> EnsureAsync(NetworkInterfaceSpec spec);

    /// <summary>Changes the mutable fields (prefixes, VirtualIP, labels).</summary>
    [Transaction(TransactionOption.Create), Alias("update")]
    Task<NetworkInterfaceInfo> UpdateAsync(NetworkInterfaceSpec spec, Guid? expectedUid);

    /// <summary>Reads the NIC; throws <c>NETWORKINTERFACE_NOT_FOUND</c>.</summary>
    [Transaction(TransactionOption.CreateOrJoin), Alias("get"), ReadOnly]
    Task<NetworkInterfaceInfo> GetAsync();

    /// <summary>Deletes the NIC and releases its IPs and VirtualIP claim; returns null when it did not exist.</summary>
    [Transaction(TransactionOption.Create), Alias("delete")]
    Task<NetworkInterfaceInfo?> DeleteAsync(Guid? expectedUid);

    /// <summary>Records what the node reports (the only writer of status). Stale uids are ignored.</summary>
    [Transaction(TransactionOption.CreateOrJoin), Alias("report-status")]
    Task<NetworkInterfaceInfo?> ReportStatusAsync(NetworkInterfaceStatusReport report);
}

/// <summary>
/// The single entry point for writes: runs each resource transaction, retries transient transaction
/// aborts, and after commit updates the node's desired state (which publishes the node stream).
/// </summary>
[Alias("ironorleans.IControlPlaneGrain")]
public interface IControlPlaneGrain : IGrainWithIntegerKey
{
    [Alias("create-network")]
    Task<NetworkInfo> CreateNetworkAsync(ResourceName name, NetworkCreateRequest request);

    [Alias("delete-network")]
    Task<NetworkInfo> DeleteNetworkAsync(ResourceName name, Guid? expectedUid);

    [Alias("create-vip")]
    Task<VirtualIpInfo> CreateVirtualIpAsync(ResourceName name, VirtualIpCreateRequest request);

    [Alias("delete-vip")]
    Task<VirtualIpInfo> DeleteVirtualIpAsync(ResourceName name, Guid? expectedUid);

    [Alias("ensure-nic")]
    Task<EnsureNetworkInterfaceResult> EnsureNetworkInterfaceAsync(ResourceName name, NetworkInterfaceSpec spec);

    [Alias("update-nic")]
    Task<NetworkInterfaceInfo> UpdateNetworkInterfaceAsync(ResourceName name, NetworkInterfaceSpec spec, Guid? expectedUid);

    /// <summary>Idempotent: deleting a missing NIC returns null.</summary>
    [Alias("delete-nic")]
    Task<NetworkInterfaceInfo?> DeleteNetworkInterfaceAsync(ResourceName name, Guid? expectedUid);

    [Alias("report-nic-status")]
    Task<NetworkInterfaceInfo?> ReportNetworkInterfaceStatusAsync(ResourceName name, NetworkInterfaceStatusReport report);

    /// <summary>Lists a namespace's objects of one kind, ordered by name.</summary>
    [Alias("list"), ReadOnly]
    Task<Page<string>> ListNamesAsync(ResourceKind kind, string ns, string? pageToken, int pageSize);
}

/// <summary>Kinds of namespaced resources (for listing).</summary>
public enum ResourceKind
{
    /// <summary>Networks.</summary>
    Network = 1,

    /// <summary>VirtualIPs.</summary>
    VirtualIp = 2,

    /// <summary>NetworkInterfaces.</summary>
    NetworkInterface = 3,
}
