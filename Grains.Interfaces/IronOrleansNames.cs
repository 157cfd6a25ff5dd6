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

/// <summary>Naming of NodeAgent silos: the silo name carries the node name so membership tells which node died.</summary>
public static class NodeAgentSilo
{
    /// <summary>Prefix of every NodeAgent silo name.</summary>
    public const string NamePrefix = "nodeagent-";

    /// <summary>The silo name of the NodeAgent of <paramref name="node"/>.</summary>
    public static string SiloName(string node) => NamePrefix + node;

    /// <summary>The node of a NodeAgent silo name, or null for other silos.</summary>
    public static string? NodeOf(string? siloName)
        => siloName is not null && siloName.StartsWith(NamePrefix, StringComparison.Ordinal) ? siloName[NamePrefix.Length..] : null;
}
