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
