using IronOrleans.Grains;
using IronOrleans.Testing;
using Orleans.TestingHost;

namespace IronOrleans.Silo.Tests;

/// <summary>An extra ADO.NET grain storage with <c>DeleteStateOnClear</c>, which runs the <c>DeleteStorageKey</c> query.</summary>
public sealed class DeleteOnClearStorage : ISiloConfigurator
{
    public const string Name = "DeleteOnClear";

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddAdoNetGrainStorage(Name, options =>
        {
            options.Invariant = IronOrleansNames.PostgresInvariant;
            options.ConnectionString = siloBuilder.Configuration[PostgresTestCluster.ConnectionStringKey];
            options.DeleteStateOnClear = true;
        });
}
