using IronOrleans.Grains;
using Orleans.Configuration;

namespace IronOrleans.Silo.Tests;

/// <summary>The silo host applies IronOrleans' membership failure-detection settings (built, not started).</summary>
public sealed class MembershipSettingsTests
{
    [Fact]
    public void SiloHost_UsesIronOrleansMembershipDefaults()
    {
        var options = MembershipOf([]);

        Assert.Equal(IronOrleansMembership.DefaultProbeTimeout, options.ProbeTimeout);
        Assert.Equal(IronOrleansMembership.DefaultNumMissedProbesLimit, options.NumMissedProbesLimit);
    }

    [Fact]
    public void SiloHost_ConfiguredMembershipWins()
    {
        var options = MembershipOf(new()
        {
            [IronOrleansNames.MembershipSectionKey + ":ProbeTimeout"] = "00:00:05",
            [IronOrleansNames.MembershipSectionKey + ":NumMissedProbesLimit"] = "3",
        });

        Assert.Equal(TimeSpan.FromSeconds(5), options.ProbeTimeout);
        Assert.Equal(3, options.NumMissedProbesLimit);
    }

    private static ClusterMembershipOptions MembershipOf(Dictionary<string, string?> values) => BuiltSiloHost.OptionsOf<ClusterMembershipOptions>(values);
}
