namespace IronOrleans.Grains;

/// <summary>Provider names shared by silos, clients and tests.</summary>
public static class IronOrleansNames
{
    /// <summary>Grain storage for plain persistent grain state.</summary>
    public const string GrainStorage = "Default";

    /// <summary>Grain storage behind Orleans transactional state (allocators and resource grains).</summary>
    public const string TransactionStore = "TransactionStore";

    /// <summary>Grain storage for stream pub-sub subscriptions.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Stream provider for node desired-state and NIC watch streams.</summary>
    public const string StreamProvider = "Default";

    /// <summary>
    /// Orleans' strongly consistent in-cluster grain directory, named, for grains whose re-activation is expensive (route
    /// tables, NodeAgent grains): its entries survive the death of the silo that held their partition, where the default directory's are
    /// lost and the grain is activated again. Every silo must register it (the hosting extensions do).
    /// </summary>
    public const string ConsistentDirectory = "ironorleans-consistent";

    /// <summary>
    /// Configuration key of the stream queues' poll period on every silo (a TimeSpan, e.g. <c>00:00:00.020</c>). Memory
    /// streams are pulled, so the period bounds how long a node event waits in its queue; a NIC crosses two such hops.
    /// </summary>
    public const string StreamPollPeriodKey = "IronOrleans:Streams:PollPeriod";

    /// <summary>
    /// Default stream poll period: Orleans' own 100 ms. Measured with the provisioning benchmark: at 2 clients, 20 ms cut
    /// NIC provisioning p50 from 183 to 60 ms for about 6 % of one core more on an idle 5-silo cluster; at 32 clients on
    /// this 2-core machine the extra polling competed with the saturated control plane and every metric got worse (p95
    /// 856 -> 1,122 ms, route convergence p99 21 -> 78 ms). Lower it where the control plane has CPU to spare.
    /// </summary>
    public static readonly TimeSpan DefaultStreamPollPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Configuration section of Orleans' <c>ClusterMembershipOptions</c> on every silo (Silo and NodeAgent), bound over IronOrleans'
    /// defaults (1 s probe timeout, 2 missed probes; see <see cref="IronOrleansMembership"/>), e.g.
    /// <c>IronOrleans:Membership:ProbeTimeout</c> = <c>00:00:02</c>.
    /// </summary>
    public const string MembershipSectionKey = "IronOrleans:Membership";

    /// <summary>ADO.NET invariant name of the PostgreSQL provider (Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";
}

/// <summary>
/// Naming of NodeAgent silos: the silo name carries the node names it serves (one per hypervisor in
/// production; several when one process simulates many), so membership tells which nodes died.
/// </summary>
public static class NodeAgentSilo
{
    /// <summary>Prefix of every NodeAgent silo name.</summary>
    public const string NamePrefix = "nodeagent-";

    private const char Separator = '+';

    /// <summary>The silo name of a NodeAgent serving <paramref name="nodes"/>.</summary>
    public static string SiloName(IEnumerable<string> nodes) => NamePrefix + string.Join(Separator, nodes);

    /// <summary>The nodes a NodeAgent silo name serves; empty for other silos.</summary>
    public static IReadOnlyList<string> NodesOf(string? siloName)
        => siloName is not null && siloName.StartsWith(NamePrefix, StringComparison.Ordinal)
            ? siloName[NamePrefix.Length..].Split(Separator, StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>Whether the silo named <paramref name="siloName"/> serves <paramref name="node"/>.</summary>
    public static bool Serves(string? siloName, string node)
    {
        foreach (var n in NodesOf(siloName))
        {
            if (string.Equals(n, node, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
