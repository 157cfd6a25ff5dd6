using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Allocation;

/// <summary>
/// How the configured public prefixes are cut into shards: each shard is a contiguous slice of at most
/// <see cref="AllocationOptions.PublicIpShardSize"/> addresses of one prefix. Shard keys are
/// <c>IPv4/0</c>, <c>IPv4/1</c>, …, numbered in configured prefix order.
/// </summary>
internal sealed class PublicIpLayout
{
    private readonly Dictionary<IpFamily, List<Slice>> _slices = new() { [IpFamily.IPv4] = [], [IpFamily.IPv6] = [] };

    public PublicIpLayout(AllocationOptions options)
    {
        foreach (var text in options.PublicPrefixes)
        {
            var prefix = IPNetwork.Parse(text);
            var v4 = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
            var hostBits = (v4 ? 32 : 128) - prefix.PrefixLength;
            var size = hostBits >= 62 ? long.MaxValue : 1L << hostBits;
            if (!v4)
            {
                size = Math.Min(size, options.MaxAddressesPerIpv6Prefix);
            }
            else
            {
                size = Math.Min(size, int.MaxValue);
            }

            var family = v4 ? IpFamily.IPv4 : IpFamily.IPv6;
            var baseValue = ToUInt128(prefix.BaseAddress);
            for (long offset = 0; offset < size; offset += options.PublicIpShardSize)
            {
                var count = (int)Math.Min(options.PublicIpShardSize, size - offset);
                _slices[family].Add(new Slice(family, baseValue + (UInt128)offset, count));
            }
        }
    }

    /// <summary>One shard's slice of addresses.</summary>
    public readonly record struct Slice(IpFamily Family, UInt128 First, int Count)
    {
        public string AddressAt(int index) => ToAddress(Family, First + (UInt128)index).ToString();

        public int IndexOf(IPAddress address)
        {
            var value = ToUInt128(address);
            return value >= First && value < First + (UInt128)Count ? (int)(value - First) : -1;
        }
    }

    public int ShardCount(IpFamily family) => _slices[family].Count;

    public long Capacity(IpFamily family)
    {
        long total = 0;
        foreach (var s in _slices[family])
        {
            total += s.Count;
        }

        return total;
    }

    public static string ShardKey(IpFamily family, int index) => $"{family}/{index}";

    public bool TryGetSlice(string shardKey, out Slice slice)
    {
        slice = default;
        var slash = shardKey.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !Enum.TryParse<IpFamily>(shardKey[..slash], out var family)
            || !int.TryParse(shardKey.AsSpan(slash + 1), out var index)
            || index < 0 || index >= _slices[family].Count)
        {
            return false;
        }

        slice = _slices[family][index];
        return true;
    }

    /// <summary>The shard that holds <paramref name="address"/>, or -1.</summary>
    public int ShardOf(IPAddress address, IpFamily family)
    {
        var list = _slices[family];
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].IndexOf(address) >= 0)
            {
                return i;
            }
        }

        return -1;
    }

    internal static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    internal static IPAddress ToAddress(IpFamily family, UInt128 value)
    {
        if (family == IpFamily.IPv4)
        {
            Span<byte> b4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b4, (uint)value);
            return new IPAddress(b4);
        }

        Span<byte> b16 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b16, value);
        return new IPAddress(b16);
    }
}
