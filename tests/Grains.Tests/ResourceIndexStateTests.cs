using IronOrleans.Grains.Allocation;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IronOrleans.Grains.Tests;

/// <summary>The index shard's state: ordinal order, paging, the stored form of older versions, and cheap transactional copies.</summary>
public sealed class ResourceIndexStateTests
{
    [Fact]
    public void AddAndRemove_KeepOrdinalOrder_AndAreIdempotent()
    {
        var s = new ResourceIndexState();
        foreach (var name in (string[])["nic-b", "nic-a", "NIC-c", "nic-a", "nic-10"])
        {
            IndexNames.Add(s, name);
        }

        Assert.Equal(["NIC-c", "nic-10", "nic-a", "nic-b"], s.Sorted);

        IndexNames.Remove(s, "nic-a");
        IndexNames.Remove(s, "nic-a");
        IndexNames.Remove(s, "never-added");
        Assert.Equal(["NIC-c", "nic-10", "nic-b"], s.Sorted);
    }

    [Fact]
    public void Page_StartsAfterTheToken_WhetherOrNotItIsStillThere()
    {
        var s = new ResourceIndexState();
        foreach (var name in (string[])["a", "b", "c", "d", "e"])
        {
            IndexNames.Add(s, name);
        }

        Assert.Equal(["a", "b"], IndexNames.Page(s, null, 2));
        Assert.Equal(["c", "d"], IndexNames.Page(s, "b", 2));
        Assert.Equal(["c", "d", "e"], IndexNames.Page(s, "bb", 10)); // the token's name was deleted meanwhile
        Assert.Empty(IndexNames.Page(s, "e", 10));
        Assert.Empty(IndexNames.Page(s, "z", 10));
    }

    [Fact]
    public void StateOfAnOlderVersion_IsListed_AndFoldedIntoTheArrayByTheNextUpdate()
    {
        var legacy = new ResourceIndexState { Names = new SortedSet<string>(["nic-2", "nic-1"], StringComparer.Ordinal) };
        Assert.Equal(["nic-1", "nic-2"], IndexNames.Page(legacy, null, 10));
        Assert.NotNull(legacy.Names); // reads do not change the state

        IndexNames.Add(legacy, "nic-0");
        Assert.Null(legacy.Names);
        Assert.Equal(["nic-0", "nic-1", "nic-2"], legacy.Sorted);

        IndexNames.Remove(legacy, "nic-1");
        Assert.Equal(["nic-0", "nic-2"], legacy.Sorted);
    }

    [Fact]
    public void TransactionalCopy_SharesTheNames_AndAnUpdateOfTheCopyLeavesTheOriginalAlone()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(ResourceIndexState).Assembly)).BuildServiceProvider();
        var copier = services.GetRequiredService<DeepCopier<ResourceIndexState>>();
        var original = new ResourceIndexState();
        IndexNames.Add(original, "nic-1");

        var copy = copier.Copy(original);
        Assert.NotSame(original, copy);
        Assert.Same(original.Sorted, copy.Sorted);

        IndexNames.Add(copy, "nic-2");
        Assert.Equal(["nic-1"], original.Sorted);
        Assert.Equal(["nic-1", "nic-2"], copy.Sorted);

        // And the stored form round-trips.
        var serializer = services.GetRequiredService<Serializer<ResourceIndexState>>();
        Assert.Equal(copy.Sorted, serializer.Deserialize(serializer.SerializeToArray(copy))!.Sorted);
    }
}
