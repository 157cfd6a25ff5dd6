using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace IronOrleans.Grains.Tests;

public sealed class IronOrleansMembershipTests
{
    [Fact]
    public void Defaults_AreOneSecondProbesAndTwoMissedProbes_WithOrleansDerivedBounds()
    {
        var options = Resolve([]);

        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbeTimeout);
        Assert.Equal(2, options.NumMissedProbesLimit);

        // Left for Orleans to derive from the probe timeout (half and four times it).
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.MinProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), options.MaxProbeTimeout);

        // Orleans' guards against false positives stay as Orleans ships them.
        var orleans = new ClusterMembershipOptions();
        Assert.Equal(orleans.NumVotesForDeathDeclaration, options.NumVotesForDeathDeclaration);
        Assert.Equal(orleans.ExtendProbeTimeoutDuringDegradation, options.ExtendProbeTimeoutDuringDegradation);
        Assert.Equal(orleans.EnableIndirectProbes, options.EnableIndirectProbes);
        Assert.Equal(orleans.EnableConnectionLivenessCheck, options.EnableConnectionLivenessCheck);
    }

    [Fact]
    public void ConfiguredValues_WinOverTheDefaults()
    {
        var options = Resolve(new()
        {
            [IronOrleansNames.MembershipSectionKey + ":ProbeTimeout"] = "00:00:05",
            [IronOrleansNames.MembershipSectionKey + ":NumMissedProbesLimit"] = "3",
            [IronOrleansNames.MembershipSectionKey + ":NumVotesForDeathDeclaration"] = "3",
        });

        Assert.Equal(TimeSpan.FromSeconds(5), options.ProbeTimeout);
        Assert.Equal(3, options.NumMissedProbesLimit);
        Assert.Equal(3, options.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.MinProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.MaxProbeTimeout);
    }

    [Fact]
    public void AConfiguredValue_KeepsTheOtherDefaults()
    {
        var options = Resolve(new() { [IronOrleansNames.MembershipSectionKey + ":MaxProbeTimeout"] = "00:00:02" });

        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbeTimeout);
        Assert.Equal(2, options.NumMissedProbesLimit);
    }

    [Fact]
    public void CallingTwice_ChangesNothing_AndLaterConfigurationWins()
    {
        var configuration = Configuration(new() { [IronOrleansNames.MembershipSectionKey + ":NumMissedProbesLimit"] = "4" });
        var services = new ServiceCollection();
        services.AddIronOrleansMembership(configuration);
        services.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = TimeSpan.FromSeconds(3));
        services.AddIronOrleansMembership(configuration);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(3), options.ProbeTimeout);
        Assert.Equal(4, options.NumMissedProbesLimit);
    }

    [Fact]
    public void RangeLease_Is10s_AndConfigurable()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), ResolveDirectory([]).RangeLeaseDuration);
        Assert.Equal(
            TimeSpan.FromSeconds(30),
            ResolveDirectory(new() { [IronOrleansNames.MembershipSectionKey + ":" + IronOrleansMembership.RangeLeaseDurationKey] = "00:00:30" }).RangeLeaseDuration);
    }

    /// <summary>
    /// Pins the Orleans behaviour the 10 s lease is chosen for: the directory holds a dead silo's grains and ranges for the
    /// lease minus the worst-case failure detection (MaxProbeTimeout × NumMissedProbesLimit). If an Orleans upgrade changes
    /// that rule, this fails and the default must be chosen again.
    /// </summary>
    [Fact]
    public void DeadSiloHold_Is2s_WithIronOrleansSettings_Where30sLeftA22sHold()
    {
        var membership = Resolve([]);

        Assert.Equal(TimeSpan.FromSeconds(2), DeadSiloHold(ResolveDirectory([]).RangeLeaseDuration, membership));
        Assert.Equal(TimeSpan.FromSeconds(22), DeadSiloHold(new GrainDirectoryOptions().RangeLeaseDuration, membership));
        Assert.Equal(TimeSpan.Zero, DeadSiloHold(new GrainDirectoryOptions().RangeLeaseDuration, new ClusterMembershipOptions()));
    }

    private static TimeSpan DeadSiloHold(TimeSpan rangeLease, ClusterMembershipOptions membership)
    {
        var directory = typeof(GrainDirectoryOptions).Assembly.GetType("Orleans.Runtime.GrainDirectory.DistributedGrainDirectory", throwOnError: true)!;
        var calculate = directory.GetMethod("CalculateDeadSiloLeaseDuration", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingMethodException(directory.FullName, "CalculateDeadSiloLeaseDuration");
        return (TimeSpan)calculate.Invoke(null, [rangeLease, membership])!;
    }

    private static GrainDirectoryOptions ResolveDirectory(Dictionary<string, string?> values)
    {
        using var provider = new ServiceCollection().AddIronOrleansMembership(Configuration(values)).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
    }

    private static ClusterMembershipOptions Resolve(Dictionary<string, string?> values)
    {
        using var provider = new ServiceCollection().AddIronOrleansMembership(Configuration(values)).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
