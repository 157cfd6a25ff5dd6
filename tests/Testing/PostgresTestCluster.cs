using IronOrleans.Grains;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace IronOrleans.Testing;

/// <summary>
/// Wires a <see cref="TestCluster"/> to PostgreSQL through the same code the silo host uses:
/// <see cref="PostgresSiloBuilderExtensions.UseIronOrleansPostgres"/> (ADO.NET clustering with IronOrleans' membership
/// failure-detection settings, grain storage, transactions, streams) plus <c>AddIronOrleansGrains()</c>, and a client that
/// finds gateways in the membership table.
/// </summary>
public static class PostgresTestCluster
{
    /// <summary>Configuration key through which the connection string reaches the silo and client configurators.</summary>
    public const string ConnectionStringKey = "IronOrleans:Test:PostgresConnectionString";

    /// <summary>
    /// Uses PostgreSQL (a database holding the IronOrleans schema) for membership and storage of this test cluster
    /// instead of TestingHost's in-memory membership.
    /// </summary>
    public static TestClusterBuilder UseIronOrleansPostgres(this TestClusterBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        return builder;
    }

    private static string ConnectionString(IConfiguration configuration) =>
        configuration[ConnectionStringKey] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Test cluster configuration lacks {ConnectionStringKey}.");

    /// <summary>Silo side; created by TestingHost through its parameterless constructor.</summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        /// <inheritdoc/>
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UseIronOrleansPostgres(ConnectionString(siloBuilder.Configuration));
            siloBuilder.AddIronOrleansGrains();
        }
    }

    /// <summary>Client side: gateways from the PostgreSQL membership table, transactions enabled.</summary>
    public sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        /// <inheritdoc/>
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            var connectionString = ConnectionString(configuration);
            clientBuilder.UseAdoNetClustering(options =>
            {
                options.Invariant = IronOrleansNames.PostgresInvariant;
                options.ConnectionString = connectionString;
            });
            clientBuilder.UseTransactions();
        }
    }
}
