namespace IronOrleans.Grains.Allocation;

/// <summary>Ranges, pools and shard sizes of the allocators. Bound from <see cref="SectionName"/>.</summary>
public sealed class AllocationOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "IronOrleans:Allocation";

    /// <summary>Lowest VNI handed out. Default 200 (ironcore-net's <c>--min-vni</c>).</summary>
    public uint MinVni { get; set; } = 200;

    /// <summary>Highest VNI handed out. Default 16,777,215 (2^24 − 1).</summary>
    public uint MaxVni { get; set; } = 16_777_215;

    /// <summary>VNIs per allocator shard. Default 65,536 (an 8 KiB bitmap).</summary>
    public int VniShardSize { get; set; } = 65_536;

    /// <summary>Public prefixes, both families, in the order they are used (ironcore-net's <c>--public-prefix</c>).</summary>
    public IList<string> PublicPrefixes { get; } = [];

    /// <summary>Addresses per public-IP shard. Default 256 (a 32-byte bitmap).</summary>
    public int PublicIpShardSize { get; set; } = 256;

    /// <summary>Cap on addresses used from one IPv6 prefix (a /64 is far larger than any pool needs). Default 65,536.</summary>
    public int MaxAddressesPerIpv6Prefix { get; set; } = 65_536;

    /// <summary>Shards per network for internal-IP claims. Default 16.</summary>
    public int InternalIpClaimShards { get; set; } = 16;

    /// <summary>Shards per namespace and kind for the name index. Default 16.</summary>
    public int IndexShards { get; set; } = 16;

    /// <summary>Checks the options; returns the first problem or null.</summary>
    public string? Check()
    {
        if (MinVni == 0 || MinVni > MaxVni || MaxVni > Model.Vni.MaxValue)
        {
            return $"VNI range {MinVni}..{MaxVni} must satisfy 1 <= min <= max <= {Model.Vni.MaxValue}";
        }

        if (VniShardSize is < 64 or > 1 << 22 || PublicIpShardSize is < 1 or > 1 << 16
            || InternalIpClaimShards is < 1 or > 1024 || IndexShards is < 1 or > 1024 || MaxAddressesPerIpv6Prefix < 1)
        {
            return "shard sizes and counts are out of range";
        }

        foreach (var prefix in PublicPrefixes)
        {
            if (!Validation.Validate.TryParsePrefix(prefix, out _))
            {
                return $"public prefix '{prefix}' is not a CIDR prefix with zero host bits";
            }
        }

        return null;
    }
}
