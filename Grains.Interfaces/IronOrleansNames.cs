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
