using IronOrleans.Silo.Tests;
using IronOrleans.Testing;

[assembly: AssemblyFixture(typeof(PostgresServerFixture))]

namespace IronOrleans.Silo.Tests;

/// <summary>One throwaway PostgreSQL server for the whole test assembly.</summary>
public sealed class PostgresServerFixture : PostgresFixture, IAsyncLifetime;
