using System.Net;
using IronOrleans.Grains.Model;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Allocation;

/// <summary>Bitmap of one public-IP shard, with the slice it was built for.</summary>
[GenerateSerializer, Alias("ironorleans.state.public-ip-shard")]
public sealed class PublicIpShardState
{
    [Id(0)] public ulong[] Words { get; set; } = [];
    [Id(1)] public int Used { get; set; }
    [Id(2)] public int Cursor { get; set; } = -1;

    /// <summary>First address of the slice when the bitmap was made (detects a changed pool layout).</summary>
    [Id(3)] public string? First { get; set; }
}

/// <summary>One shard of a public IP pool (see <see cref="PublicIpLayout"/>).</summary>
internal sealed class PublicIpShardGrain(
    [TransactionalState("ips", IronOrleansNames.TransactionStore)] ITransactionalState<PublicIpShardState> state,
    IOptions<AllocationOptions> options,
    GrainsInstruments instruments) : Grain, IPublicIpShardGrain
{
    private readonly PublicIpLayout _layout = new(options.Value);

    public async Task<string?> AllocateAsync(Guid owner)
    {
        var slice = Slice();
        var index = await state.PerformUpdate(s =>
        {
            Init(s, slice);
            if (s.Used >= slice.Count)
            {
                return -1;
            }

            var start = s.Cursor >= 0 ? s.Cursor : Random.Shared.Next(slice.Count);
            var bit = Bitmap.FindClear(s.Words, slice.Count, start);
            if (bit < 0)
            {
                return -1;
            }

            Bitmap.Set(s.Words, bit);
            s.Used++;
            s.Cursor = (bit + 1) % slice.Count;
            return bit;
        });
        if (index < 0)
        {
            return null;
        }

        instruments.OnAllocated("public-ip");
        return slice.AddressAt(index);
    }

    public async Task ReleaseAsync(string address)
    {
        var slice = Slice();
        var bit = IPAddress.TryParse(address, out var parsed) ? slice.IndexOf(parsed) : -1;
        if (bit < 0)
        {
            return;
        }

        var released = await state.PerformUpdate(s =>
        {
            Init(s, slice);
            if (!Bitmap.IsSet(s.Words, bit))
            {
                return false;
            }

            Bitmap.Clear(s.Words, bit);
            s.Used--;
            return true;
        });
        if (released)
        {
            instruments.OnReleased("public-ip");
        }
    }

    public Task<AllocatorUsage> GetUsageAsync()
    {
        var slice = Slice();
        return state.PerformRead(s => new AllocatorUsage(slice.Count, s.Used));
    }

    private PublicIpLayout.Slice Slice()
        => _layout.TryGetSlice(this.GetPrimaryKeyString(), out var slice)
            ? slice
            : throw new InvalidOperationException($"Public IP shard '{this.GetPrimaryKeyString()}' is not in the configured pool layout.");

    private static void Init(PublicIpShardState s, PublicIpLayout.Slice slice)
    {
        var first = slice.AddressAt(0);
        if (s.First is null)
        {
            s.First = first;
            s.Words = new ulong[Bitmap.WordsFor(slice.Count)];
        }
        else if (s.First != first)
        {
            throw new InvalidOperationException(
                $"Public IP shard was built for a slice starting at {s.First}, but the configured layout now starts it at {first}; " +
                "public prefixes may only be appended, never reordered or removed.");
        }
        else if (s.Words.Length < Bitmap.WordsFor(slice.Count))
        {
            var words = s.Words;
            Array.Resize(ref words, Bitmap.WordsFor(slice.Count));
            s.Words = words;
        }
    }
}
