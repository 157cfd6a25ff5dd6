namespace IronOrleans.Testing;

/// <summary>
/// One <see cref="PostgresServer"/> shared by several test classes. Its <see cref="InitializeAsync"/> and
/// <see cref="DisposeAsync"/> match xUnit v3's <c>IAsyncLifetime</c>, so a test project only needs
/// <c>public sealed class MyFixture : PostgresFixture, IAsyncLifetime;</c> to use it as a collection or assembly fixture
/// (this library does not depend on xUnit).
/// </summary>
public class PostgresFixture : IAsyncDisposable
{
    private PostgresServer? _server;

    /// <summary>The running server; valid after <see cref="InitializeAsync"/>.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialised.");

    /// <summary>Connection string of the server's schema-initialised database.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>Starts the server.</summary>
    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync();

    /// <summary>Stops the server and deletes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
