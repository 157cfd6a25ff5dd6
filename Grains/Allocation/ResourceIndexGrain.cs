using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Allocation;

/// <summary>Names in one index shard.</summary>
[GenerateSerializer, Alias("ironorleans.state.index")]
public sealed class ResourceIndexState
{
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One shard of a namespace's name index for one kind; joins the creating/deleting transaction.</summary>
internal sealed class ResourceIndexGrain(
    [TransactionalState("names", IronOrleansNames.TransactionStore)] ITransactionalState<ResourceIndexState> state)
    : Grain, IResourceIndexGrain
{
    public static string KeyFor(ResourceKind kind, string ns, string name, int shards)
        => ShardKey(kind, ns, (int)(KeyHash.Of(name) % (uint)shards));

    public static string ShardKey(ResourceKind kind, string ns, int shard) => $"{kind}/{ns}/{shard}";

    public Task AddAsync(string name) => state.PerformUpdate(s => s.Names.Add(name));

    public Task RemoveAsync(string name) => state.PerformUpdate(s => s.Names.Remove(name));

    public Task<IReadOnlyList<string>> ListAsync(string? after, int limit)
        => state.PerformRead<IReadOnlyList<string>>(s =>
        {
            if (s.Names.Count == 0 || (after is not null && string.CompareOrdinal(after, s.Names.Max) >= 0))
            {
                return [];
            }

            var result = new List<string>(Math.Min(limit, s.Names.Count));
            var view = after is null
                ? s.Names
                : s.Names.GetViewBetween(after, s.Names.Max!);
            foreach (var name in view)
            {
                if (after is not null && string.CompareOrdinal(name, after) <= 0)
                {
                    continue;
                }

                result.Add(name);
                if (result.Count == limit)
                {
                    break;
                }
            }

            return result;
        });
}
