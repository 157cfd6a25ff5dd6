using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Allocation;

/// <summary>Names in one index shard.</summary>
[GenerateSerializer, Alias("ironorleans.state.index")]
public sealed class ResourceIndexState
{
    /// <summary>
    /// The names as stored before 2026-12: a mutable set that every transaction copied name by name. Still read; the next
    /// update folds it into <see cref="Sorted"/> and clears it.
    /// </summary>
    [Id(0)] public SortedSet<string>? Names { get; set; }

    /// <summary>
    /// The names in ordinal order. Replaced by every change, never changed in place, so a transaction's copy of the state
    /// shares the array (<see cref="ImmutableAttribute"/>) instead of rebuilding a set of every name in the shard.
    /// </summary>
    [Id(1), Immutable] public string[] Sorted { get; set; } = [];
}

/// <summary>The index shard's operations on its state, as pure functions.</summary>
internal static class IndexNames
{
    /// <summary>Every name of the shard, in ordinal order (the stored set of an older version included).</summary>
    public static string[] All(ResourceIndexState s)
        => s.Names is not { Count: > 0 } legacy ? s.Sorted : [.. s.Sorted.Union(legacy, StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static void Add(ResourceIndexState s, string name)
    {
        Migrate(s);
        var i = Array.BinarySearch(s.Sorted, name, StringComparer.Ordinal);
        if (i >= 0)
        {
            return;
        }

        i = ~i;
        var next = new string[s.Sorted.Length + 1];
        Array.Copy(s.Sorted, next, i);
        next[i] = name;
        Array.Copy(s.Sorted, i, next, i + 1, s.Sorted.Length - i);
        s.Sorted = next;
    }

    public static void Remove(ResourceIndexState s, string name)
    {
        Migrate(s);
        var i = Array.BinarySearch(s.Sorted, name, StringComparer.Ordinal);
        if (i < 0)
        {
            return;
        }

        var next = new string[s.Sorted.Length - 1];
        Array.Copy(s.Sorted, next, i);
        Array.Copy(s.Sorted, i + 1, next, i, next.Length - i);
        s.Sorted = next;
    }

    /// <summary>Up to <paramref name="limit"/> names after <paramref name="after"/> (null = from the first), in order.</summary>
    public static IReadOnlyList<string> Page(ResourceIndexState s, string? after, int limit)
    {
        var all = All(s);
        var start = 0;
        if (after is not null)
        {
            start = Array.BinarySearch(all, after, StringComparer.Ordinal);
            start = start >= 0 ? start + 1 : ~start;
        }

        return all.AsSpan(start, Math.Min(limit, all.Length - start)).ToArray();
    }

    private static void Migrate(ResourceIndexState s)
    {
        if (s.Names is not null)
        {
            s.Sorted = All(s);
            s.Names = null;
        }
    }
}

/// <summary>One shard of a namespace's name index for one kind; joins the creating/deleting transaction.</summary>
internal sealed class ResourceIndexGrain(
    [TransactionalState("names", IronOrleansNames.TransactionStore)] ITransactionalState<ResourceIndexState> state)
    : Grain, IResourceIndexGrain
{
    public static string KeyFor(ResourceKind kind, string ns, string name, int shards)
        => ShardKey(kind, ns, (int)(KeyHash.Of(name) % (uint)shards));

    public static string ShardKey(ResourceKind kind, string ns, int shard) => $"{kind}/{ns}/{shard}";

    public Task AddAsync(string name) => state.PerformUpdate(s => IndexNames.Add(s, name));

    public Task RemoveAsync(string name) => state.PerformUpdate(s => IndexNames.Remove(s, name));

    public Task<IReadOnlyList<string>> ListAsync(string? after, int limit) => state.PerformRead(s => IndexNames.Page(s, after, limit));
}
