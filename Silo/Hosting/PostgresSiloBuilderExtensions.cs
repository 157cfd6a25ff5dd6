using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using IronOrleans.Grains;

namespace Orleans.Hosting;

/// <summary>Wires an Orleans silo to IronOrleans' PostgreSQL database through Orleans' ADO.NET providers.</summary>
/// <remarks>
/// The database must hold IronOrleans' schema (<see cref="IronOrleans.Silo.Database.PostgresSchema"/>): the
/// providers read their SQL from its <c>OrleansQuery</c> table at start-up.
/// </remarks>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>Configuration key Orleans reads to configure clustering from configuration (set by Aspire).</summary>
    public const string ClusteringProviderTypeKey = "Orleans:Clustering:ProviderType";

    /// <summary>
    /// Uses PostgreSQL for cluster membership with IronOrleans' failure-detection settings
    /// (<see cref="IronOrleansMembership.AddIronOrleansMembership"/>, overridable under <c>IronOrleans:Membership</c>) and adds
    /// everything <see cref="AddIronOrleansPostgresStorage"/> adds.
    /// </summary>
    /// <remarks>
    /// When the configuration already chooses a clustering provider (<c>Orleans:Clustering:ProviderType</c>, as Aspire's
    /// <c>WithClustering</c> sets it), Orleans configures clustering from there and this method only adds the membership
    /// settings and storage.
    /// </remarks>
    public static ISiloBuilder UseIronOrleansPostgres(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Same failure detection as the NodeAgent silos (NodeAgent/Hosting/NodeAgentHostingExtensions.cs): a killed NodeAgent
        // is declared Dead in 1-2 s, so its routes can be withdrawn everywhere within 3 s.
        builder.Services.AddIronOrleansMembership(builder.Configuration);

        if (!IsClusteringConfigured(builder.Configuration) && !builder.Services.Any(d => d.ServiceType == typeof(PostgresClusteringMarker)))
        {
            builder.Services.AddSingleton<PostgresClusteringMarker>();
            builder.UseAdoNetClustering(options =>
            {
                options.Invariant = IronOrleansNames.PostgresInvariant;
                options.ConnectionString = connectionString;
            });
        }

        return builder.AddIronOrleansPostgresStorage(connectionString);
    }

    /// <summary>
    /// Adds PostgreSQL grain storage named <see cref="IronOrleansNames.GrainStorage"/>,
    /// <see cref="IronOrleansNames.TransactionStore"/> and <see cref="IronOrleansNames.PubSubStore"/>, enables
    /// transactions, and adds memory streams named <see cref="IronOrleansNames.StreamProvider"/> (whose
    /// subscriptions live in the PostgreSQL pub-sub store). Clustering is left to the caller.
    /// Calling it again does nothing.
    /// </summary>
    public static ISiloBuilder AddIronOrleansPostgresStorage(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        if (builder.Services.Any(d => d.ServiceType == typeof(PostgresStorageMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<PostgresStorageMarker>();
        connectionString = PostgresStorageConnection.Tune(connectionString);
        foreach (var name in (string[])[IronOrleansNames.GrainStorage, IronOrleansNames.TransactionStore, IronOrleansNames.PubSubStore])
        {
            // Orleans' binary serializer instead of the JSON default: compact rows for state written on every
            // transactional prepare and commit. NodeAgent silos share the PubSub and Default stores and must use the
            // same format (NodeAgent/Hosting/NodeAgentHostingExtensions.cs).
            builder.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> ob) => ob.Configure<Serializer>((options, serializer) =>
            {
                options.Invariant = IronOrleansNames.PostgresInvariant;
                options.ConnectionString = connectionString;
                options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        }

        builder.UseTransactions();

        // A participant that has prepared a commit asks the BatchWorker to wake it at LastSent + this period, to ping a
        // TM that may have crashed. Every such wake-up is an Orleans TimerManager entry that lives until it is due
        // (nothing cancels it), and the timer manager walks all its entries every 50 ms: with the 60 s default that
        // was ~4 % of the CPU in the provisioning benchmark (CheckQueueInLock, the busiest managed method), and the
        // entries outlived every gen0/gen1 collection. Confirmations normally arrive in milliseconds, so a shorter
        // period only makes pings happen sooner after a real TM failure.
        builder.Services.Configure<TransactionalStateOptions>(o => o.RemoteTransactionPingFrequency = RemoteTransactionPingFrequency);
        var poll = builder.Configuration.GetValue<TimeSpan?>(IronOrleansNames.StreamPollPeriodKey) ?? IronOrleansNames.DefaultStreamPollPeriod;
        builder.AddMemoryStreams(IronOrleansNames.StreamProvider, streams =>
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = poll)));
        return builder;
    }

    /// <summary>Whether the configuration selects a clustering provider for Orleans to configure itself.</summary>
    public static bool IsClusteringConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration?[ClusteringProviderTypeKey]);

    /// <summary>How long a prepared participant waits for its commit confirmation before it pings the TM (Orleans: 60 s).</summary>
    public static readonly TimeSpan RemoteTransactionPingFrequency = TimeSpan.FromSeconds(5);

    private sealed class PostgresStorageMarker;

    private sealed class PostgresClusteringMarker;
}
