using System.Net;
using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Tests;

public class PublicIpLayoutTests
{
    [Fact]
    public void Prefixes_AreCutIntoShardsInConfiguredOrder()
    {
        var options = new AllocationOptions { PublicIpShardSize = 256 };
        options.PublicPrefixes.Add("198.51.100.0/23");
        options.PublicPrefixes.Add("203.0.113.0/28");
        options.PublicPrefixes.Add("2001:db8::/64");
        var layout = new PublicIpLayout(options);

        Assert.Equal(3, layout.ShardCount(IpFamily.IPv4));
        Assert.Equal(512 + 16, layout.Capacity(IpFamily.IPv4));
        Assert.True(layout.TryGetSlice("IPv4/1", out var second));
        Assert.Equal("198.51.101.0", second.AddressAt(0));
        Assert.True(layout.TryGetSlice("IPv4/2", out var third));
        Assert.Equal(16, third.Count);
        Assert.Equal("203.0.113.15", third.AddressAt(15));

        // IPv6 pools are capped so a /64 does not become 2^64 bits.
        Assert.Equal(options.MaxAddressesPerIpv6Prefix, layout.Capacity(IpFamily.IPv6));
        Assert.Equal(0, layout.ShardOf(IPAddress.Parse("198.51.100.7"), IpFamily.IPv4));
        Assert.Equal(-1, layout.ShardOf(IPAddress.Parse("192.0.2.1"), IpFamily.IPv4));
        Assert.False(layout.TryGetSlice("IPv4/3", out _));
    }

    [Fact]
    public void Options_RejectBadRangesAndPrefixes()
    {
        Assert.NotNull(new AllocationOptions { MinVni = 500, MaxVni = 400 }.Check());
        Assert.NotNull(new AllocationOptions { MaxVni = 16_777_216 }.Check());
        var bad = new AllocationOptions();
        bad.PublicPrefixes.Add("198.51.100.1/24");
        Assert.NotNull(bad.Check());
        Assert.Null(new AllocationOptions().Check());
    }
}
