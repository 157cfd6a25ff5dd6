using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace IronOrleans.Grains;

/// <summary>
/// IronOrleans' Orleans membership (failure detection) settings, shared by both silo kinds: the control-plane Silo
/// (<c>UseIronOrleansPostgres</c>) and the NodeAgent (<c>AddNodeAgent</c>). Every silo of a cluster should run the same ones.
/// </summary>
/// <remarks>
/// <para>
/// Why: when a hypervisor's NodeAgent dies, its routes must be withdrawn everywhere within 3 s, and that withdrawal starts
/// only once Orleans membership declares the silo Dead. With Orleans' defaults (<see cref="ClusterMembershipOptions.ProbeTimeout"/>
/// 5 s, <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/> 3) a killed silo is declared Dead after 5–6 s. IronOrleans
/// uses a 1 s probe timeout (so probes start about every 0.5 s, with Orleans' adaptive timeout bounded by its derived
/// <see cref="ClusterMembershipOptions.MinProbeTimeout"/> 0.5 s and <see cref="ClusterMembershipOptions.MaxProbeTimeout"/> 4 s)
/// and suspects a silo after 2 missed probes: the second miss goes to an indirect probe through another silo, whose failure
/// counts as two votes, enough for <see cref="ClusterMembershipOptions.NumVotesForDeathDeclaration"/> (2), so a killed silo is
/// Dead in about 1–2 s.
/// </para>
/// <para>
/// The trade-off is false positives: a live silo that cannot answer two probes in time (a long GC pause, a starved thread
/// pool, a saturated host) is declared Dead and must restart. Orleans' own guards stay on: <see
/// cref="ClusterMembershipOptions.ExtendProbeTimeoutDuringDegradation"/> lengthens the timeouts while the probing silo is
/// itself degraded, indirect probes (<see cref="ClusterMembershipOptions.EnableIndirectProbes"/>) need a second silo to
/// fail to reach the suspect, and <see cref="ClusterMembershipOptions.EnableConnectionLivenessCheck"/> suppresses votes
/// against a silo whose connection recently carried messages. A missed-probe limit of 1 would drop the second chance and
/// is not recommended.
/// </para>
/// <para>
/// Override: every <see cref="ClusterMembershipOptions"/> property can be set under the configuration section
/// <see cref="IronOrleansNames.MembershipSectionKey"/> (<c>IronOrleans:Membership</c>, e.g. <c>IronOrleans:Membership:ProbeTimeout</c>
/// = <c>00:00:05</c> and <c>IronOrleans:Membership:NumMissedProbesLimit</c> = <c>3</c> restore Orleans' defaults). The section
/// is bound after IronOrleans' defaults, so configured values win.
/// </para>
/// </remarks>
public static class IronOrleansMembership
{
    /// <summary>IronOrleans' initial liveness probe timeout: 1 s (Orleans: 5 s).</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>IronOrleans' number of missed probes before a silo is suspected: 2 (Orleans: 3).</summary>
    public const int DefaultNumMissedProbesLimit = 2;

    /// <summary>
    /// IronOrleans' <see cref="GrainDirectoryOptions.RangeLeaseDuration"/>: 10 s (Orleans: 30 s), configurable as
    /// <c>IronOrleans:Membership:RangeLeaseDuration</c>.
    /// </summary>
    /// <remarks>
    /// When a silo is declared Dead (not when it shuts down), Orleans' strongly consistent grain directory (used for route
    /// tables and NodeAgent grains, <see cref="IronOrleansNames.ConsistentDirectory"/>) holds the grains that were active on
    /// it, and the directory ranges it owned, for the part of this lease that failure detection has not used up: Orleans
    /// subtracts its worst-case detection time, <see cref="ClusterMembershipOptions.MaxProbeTimeout"/> times
    /// <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/> (4 s × 2 with IronOrleans' settings). Nothing in a held range
    /// can be activated until the hold expires, so that a silo wrongly declared dead has time to notice and stop first.
    /// With Orleans' own membership defaults (20 s × 3) its 30 s lease is used up and there is no hold; with IronOrleans'
    /// faster detection the same 30 s left a 22 s hold: a NodeAgent that was SIGKILLed and restarted at once waited 22 s
    /// before its node grain could start again (measured in the end-to-end test), and half the route tables' key range
    /// could not be activated meanwhile. 10 s leaves a 2 s hold, shorter than an agent's restart.
    /// </remarks>
    public static readonly TimeSpan DefaultRangeLeaseDuration = TimeSpan.FromSeconds(10);

    /// <summary>Key under <see cref="IronOrleansNames.MembershipSectionKey"/> that overrides <see cref="DefaultRangeLeaseDuration"/>.</summary>
    public const string RangeLeaseDurationKey = "RangeLeaseDuration";

    /// <summary>
    /// Configures <see cref="ClusterMembershipOptions"/> with IronOrleans' defaults (<see cref="ApplyDefaults"/>), then binds
    /// <see cref="IronOrleansNames.MembershipSectionKey"/> from <paramref name="configuration"/> over them; sets
    /// <see cref="GrainDirectoryOptions.RangeLeaseDuration"/> to <see cref="DefaultRangeLeaseDuration"/> or the section's
    /// <see cref="RangeLeaseDurationKey"/>. Options configured after this call win over both. Calling it again does nothing.
    /// </summary>
    public static IServiceCollection AddIronOrleansMembership(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(MembershipMarker)))
        {
            return services;
        }

        services.AddSingleton<MembershipMarker>();
        var section = configuration.GetSection(IronOrleansNames.MembershipSectionKey);
        services.AddOptions<ClusterMembershipOptions>()
            .Configure(ApplyDefaults)
            .Bind(section);
        services.AddOptions<GrainDirectoryOptions>()
            .Configure(o => o.RangeLeaseDuration = section.GetValue(RangeLeaseDurationKey, DefaultRangeLeaseDuration));
        return services;
    }

    /// <summary>
    /// Sets IronOrleans' defaults: <see cref="ClusterMembershipOptions.ProbeTimeout"/> = <see cref="DefaultProbeTimeout"/> and
    /// <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/> = <see cref="DefaultNumMissedProbesLimit"/>. The minimum and
    /// maximum probe timeouts are left for Orleans to derive from the probe timeout (half and four times it).
    /// </summary>
    public static void ApplyDefaults(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProbeTimeout = DefaultProbeTimeout;
        options.NumMissedProbesLimit = DefaultNumMissedProbesLimit;
    }

    private sealed class MembershipMarker;
}
