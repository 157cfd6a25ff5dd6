using IronOrleans.Grains.Model;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Grains.Allocation;

/// <summary>Bitmap of one VNI shard.</summary>
[GenerateSerializer, Alias("ironorleans.state.vni-shard")]
public sealed class VniShardState
{
    [Id(0)] public ulong[] Words { get; set; } = [];
    [Id(1)] public int Used { get; set; }
    [Id(2)] public int Cursor { get; set; } = -1;
}

/// <summary>
/// One shard of the VNI range. Shard <c>i</c> covers
/// <c>[MinVni + i·VniShardSize, MinVni + (i+1)·VniShardSize)</c> clipped to <c>MaxVni</c>.
/// Next-free starts at a random cursor and scans 64 VNIs per step.
/// </summary>
internal sealed class VniAllocatorGrain(
    [TransactionalState("vnis", IronOrleansNames.TransactionStore)] ITransactionalState<VniShardState> state,
    IOptions<AllocationOptions> options,
    GrainsInstruments instruments) : Grain, IVniAllocatorGrain
{
    private readonly AllocationOptions _options = options.Value;

    private uint First => _options.MinVni + (uint)(this.GetPrimaryKeyLong() * _options.VniShardSize);

    private int Size => (int)Math.Min(_options.VniShardSize, (long)_options.MaxVni - First + 1);

    public static int ShardCount(AllocationOptions o) => (int)((((long)o.MaxVni - o.MinVni) / o.VniShardSize) + 1);

    public static int ShardOf(AllocationOptions o, uint vni) => (int)((vni - o.MinVni) / (uint)o.VniShardSize);

    public async Task<uint?> AllocateAsync(Guid owner)
    {
        var size = Size;
        var result = await state.PerformUpdate(s =>
        {
            Init(s, size);
            if (s.Used >= size)
            {
                return -1;
            }

            var start = s.Cursor >= 0 ? s.Cursor : Random.Shared.Next(size);
            var bit = Bitmap.FindClear(s.Words, size, start);
            if (bit < 0)
            {
                return -1;
            }

            Bitmap.Set(s.Words, bit);
            s.Used++;
            s.Cursor = (bit + 1) % size;
            return bit;
        });
        if (result < 0)
        {
            return null;
        }

        instruments.OnAllocated("vni");
        return First + (uint)result;
    }

    public async Task<bool> AllocateSpecificAsync(uint vni, Guid owner)
    {
        var size = Size;
        var bit = (long)vni - First;
        if (bit < 0 || bit >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(vni), $"VNI {vni} is not in shard {this.GetPrimaryKeyLong()}");
        }

        var taken = await state.PerformUpdate(s =>
        {
            Init(s, size);
            if (Bitmap.IsSet(s.Words, (int)bit))
            {
                return false;
            }

            Bitmap.Set(s.Words, (int)bit);
            s.Used++;
            return true;
        });
        if (taken)
        {
            instruments.OnAllocated("vni");
        }

        return taken;
    }

    public async Task ReleaseAsync(uint vni)
    {
        var size = Size;
        var bit = (long)vni - First;
        if (bit < 0 || bit >= size)
        {
            return;
        }

        var released = await state.PerformUpdate(s =>
        {
            Init(s, size);
            if (!Bitmap.IsSet(s.Words, (int)bit))
            {
                return false;
            }

            Bitmap.Clear(s.Words, (int)bit);
            s.Used--;
            return true;
        });
        if (released)
        {
            instruments.OnReleased("vni");
        }
    }

    public Task<AllocatorUsage> GetUsageAsync()
    {
        var size = Size;
        return state.PerformRead(s => new AllocatorUsage(size, s.Used));
    }

    private static void Init(VniShardState s, int size)
    {
        if (s.Words.Length != Bitmap.WordsFor(size))
        {
            var words = new ulong[Bitmap.WordsFor(size)];
            s.Words.AsSpan(0, Math.Min(s.Words.Length, words.Length)).CopyTo(words);
            s.Words = words;
        }
    }
}
