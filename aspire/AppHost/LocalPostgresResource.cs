namespace IronOrleans.AppHost;

/// <summary>The local PostgreSQL server process (see <see cref="LocalPostgres"/>).</summary>
internal sealed class LocalPostgresResource(string name, string command, LocalPostgres server)
    : ExecutableResource(name, command, server.RootDirectory)
{
    public LocalPostgres Server { get; } = server;
}
