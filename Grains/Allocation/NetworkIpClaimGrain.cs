using IronOrleans.Grains.Errors;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Allocation;

/// <summary>Who holds an internal IP in a network.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.state.ip-claim")]
public sealed record IpClaim([property: Id(0)] Guid NicUid, [property: Id(1)] string NicName);

/// <summary>Internal-IP claims of one shard of one network.</summary>
[GenerateSerializer, Alias("ironorleans.state.ip-claims")]
public sealed class IpClaimState
{
    [Id(0)] public Dictionary<string, IpClaim> Claims { get; set; } = [];
}

/// <summary>
/// Internal IPs are unique within a network (ironcore-net does not enforce this; IronOrleans does):
/// each address maps to one shard of its network, and the claim joins the NIC's transaction.
/// </summary>
internal sealed class NetworkIpClaimGrain(
    [TransactionalState("claims", IronOrleansNames.TransactionStore)] ITransactionalState<IpClaimState> state)
    : Grain, INetworkIpClaimGrain
{
    public static string KeyFor(Guid networkUid, string canonicalIp, int shards)
        => $"{networkUid:N}/{KeyHash.Of(canonicalIp) % (uint)shards}";

    public Task ClaimAsync(string ip, Guid nicUid, string nicName)
        => state.PerformUpdate(s =>
        {
            if (s.Claims.TryGetValue(ip, out var holder))
            {
                if (holder.NicUid == nicUid)
                {
                    return;
                }

                throw new ResourceAlreadyExistsException(
                    "IP_IN_USE", $"internal IP {ip} is already used by network interface '{holder.NicName}' in this network");
            }

            s.Claims[ip] = new IpClaim(nicUid, nicName);
        });

    public Task ReleaseAsync(string ip, Guid nicUid)
        => state.PerformUpdate(s =>
        {
            if (s.Claims.TryGetValue(ip, out var holder) && holder.NicUid == nicUid)
            {
                s.Claims.Remove(ip);
            }
        });

    public Task<int> CountAsync() => state.PerformRead(s => s.Claims.Count);
}

/// <summary>A hash that is the same in every process (string.GetHashCode is randomized per process).</summary>
internal static class KeyHash
{
    public static uint Of(string value)
    {
        var hash = 2166136261u; // FNV-1a
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    public static uint Of(Guid value) => Of(value.ToString("N"));
}
