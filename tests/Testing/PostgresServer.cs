using System.Globalization;
using IronOrleans.Silo.Database;
using Npgsql;

namespace IronOrleans.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 server for tests: its own data directory in a per-run temp directory (/tmp when root), listening
/// on 127.0.0.1 on a free port (Unix socket inside the data directory's parent), with one database that holds the
/// IronOrleans schema. <see cref="DisposeAsync"/> stops the server and deletes the directory.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root, so when the test process is privileged (CI runs as root) the server programs
/// run as the <c>postgres</c> user through <c>setpriv</c>. The binaries are taken from
/// <c>IRONORLEANS_PG_BIN</c> or <c>/usr/lib/postgresql/15/bin</c> (Debian's <c>postgresql-15</c> package).
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Environment variable that overrides the directory of the PostgreSQL server programs.</summary>
    public const string BinDirectoryVariable = "IRONORLEANS_PG_BIN";

    /// <summary>Default directory of the PostgreSQL server programs.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    private const string ServiceUser = "postgres";
    private const int StartAttempts = 3;
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);

    private readonly string _binDirectory;
    private readonly string _rootDirectory;
    private int _disposed;

    private PostgresServer(string binDirectory, string rootDirectory)
    {
        _binDirectory = binDirectory;
        _rootDirectory = rootDirectory;
    }

    /// <summary>TCP port the server listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>Name of the database created by <see cref="StartAsync(CancellationToken)"/> (unique per server).</summary>
    public string DatabaseName { get; private set; } = "";

    /// <summary>Connection string of <see cref="DatabaseName"/>, which holds the IronOrleans schema.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Per-run directory holding the data directory, the socket and the server log.</summary>
    public string RootDirectory => _rootDirectory;

    private string DataDirectory => Path.Combine(_rootDirectory, "data");

    private string LogFile => Path.Combine(_rootDirectory, "postgres.log");

    /// <summary>
    /// Initialises a new data directory, starts the server, waits until it accepts connections and creates a
    /// database with the IronOrleans schema.
    /// </summary>
    /// <exception cref="InvalidOperationException">The PostgreSQL binaries are missing or the server did not start.</exception>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(binDirectory: null, cancellationToken);

    /// <inheritdoc cref="StartAsync(CancellationToken)"/>
    /// <param name="binDirectory">Directory of initdb, pg_ctl and postgres; <see langword="null"/> for the default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<PostgresServer> StartAsync(string? binDirectory, CancellationToken cancellationToken = default)
    {
        binDirectory ??= Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } configured
            ? configured
            : DefaultBinDirectory;
        foreach (var program in (string[])["initdb", "pg_ctl", "postgres"])
        {
            if (!File.Exists(Path.Combine(binDirectory, program)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL server program '{program}' not found in {binDirectory}. The database tests need a local " +
                    $"PostgreSQL 15 server installation: on Debian 12 run 'apt-get install -y postgresql-15', or point " +
                    $"{BinDirectoryVariable} at the directory holding initdb, pg_ctl and postgres.");
            }
        }

        // As root the server runs as the postgres user, which must be able to reach the directory: use /tmp rather
        // than a TMPDIR that may sit under root's private home.
        var tempBase = Environment.IsPrivilegedProcess ? "/tmp" : Path.GetTempPath();
        var root = Path.Combine(tempBase, "ironorleans-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(binDirectory, root);
        try
        {
            await server.InitializeAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates another empty database with a unique name on this server and returns its connection string.
    /// </summary>
    /// <param name="prefix">Readable part of the name (letters, digits, underscore).</param>
    /// <param name="applySchema">Apply the IronOrleans schema to it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", bool applySchema = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var name = $"io_{prefix}_{Guid.NewGuid().ToString("N")[..10]}".ToLowerInvariant();
        var connectionString = ConnectionStringFor(name);
        await PostgresSchema.EnsureDatabaseAsync(connectionString, cancellationToken);
        if (applySchema)
        {
            await PostgresSchema.ApplyAsync(connectionString, cancellationToken);
        }

        return connectionString;
    }

    /// <summary>Connection string for database <paramref name="database"/> on this server.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
        Timeout = 10,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Stops the server (fast shutdown) and deletes its directory, also when stopping fails.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            NpgsqlConnection.ClearAllPools();
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                var stop = await RunServerProgramAsync(
                    "pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "15"], StopTimeout, CancellationToken.None);
                if (stop.ExitCode != 0)
                {
                    KillPostmaster();
                }
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            KillPostmaster();
        }
        finally
        {
            DeleteDirectory();
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Environment.IsPrivilegedProcess)
        {
            var chown = await ProcessRunner.RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", _rootDirectory], TimeSpan.FromSeconds(10), cancellationToken);
            if (chown.ExitCode != 0)
            {
                throw new InvalidOperationException($"chown of {_rootDirectory} to {ServiceUser} failed: {chown.Output}");
            }
        }

        var initdb = await RunServerProgramAsync(
            "initdb",
            ["-D", DataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            InitDbTimeout,
            cancellationToken);
        if (initdb.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed (exit {initdb.ExitCode}):\n{initdb.Output}");
        }

        await StartServerAsync(cancellationToken);
        await WaitUntilReadyAsync(cancellationToken);

        var name = $"io_{Guid.NewGuid().ToString("N")[..12]}";
        DatabaseName = name;
        ConnectionString = ConnectionStringFor(name);
        await PostgresSchema.EnsureDatabaseAsync(ConnectionString, cancellationToken);
        await PostgresSchema.ApplyAsync(ConnectionString, cancellationToken);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        string lastFailure = "";
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            Port = LoopbackPorts.Free();

            // Test-only settings: fsync, synchronous commit and full-page writes are off because a crash of a
            // throwaway server loses nothing of value, and they make schema setup and grain writes much faster.
            var serverOptions = string.Join(' ',
                "-c listen_addresses=127.0.0.1",
                $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
                $"-k {_rootDirectory}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200");
            var start = await RunServerProgramAsync(
                "pg_ctl",
                ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "25", "-o", serverOptions],
                StartTimeout,
                cancellationToken);
            if (start.ExitCode == 0)
            {
                return;
            }

            // Most likely another process took the port between our probe and the server's bind: try another one.
            lastFailure = $"pg_ctl start failed (exit {start.ExitCode}) on port {Port}:\n{start.Output}\n{ReadLogTail()}";
        }

        throw new InvalidOperationException($"PostgreSQL did not start after {StartAttempts} attempts. Last failure: {lastFailure}");
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var admin = ConnectionStringFor("postgres");
        var deadline = DateTime.UtcNow + ReadyTimeout;
        Exception? last = null;
        for (var attempt = 0; attempt < 200 && DateTime.UtcNow < deadline; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException e)
            {
                last = e;
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }

        throw new InvalidOperationException(
            $"PostgreSQL on port {Port} did not accept connections within {ReadyTimeout.TotalSeconds:0} s.\n{ReadLogTail()}", last);
    }

    private Task<ProcessRunner.Result> RunServerProgramAsync(
        string program, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_binDirectory, program);
        if (!Environment.IsPrivilegedProcess)
        {
            return ProcessRunner.RunAsync(path, arguments, timeout, cancellationToken);
        }

        // initdb and postgres refuse to run as root.
        string[] wrapped = [$"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", path, .. arguments];
        return ProcessRunner.RunAsync("setpriv", wrapped, timeout, cancellationToken);
    }

    private void KillPostmaster()
    {
        // Last resort, only for the server this instance started: its pid is the first line of postmaster.pid.
        try
        {
            var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
            if (File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private void DeleteDirectory()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(_rootDirectory))
                {
                    Directory.Delete(_rootDirectory, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A server process may still be closing files; retry briefly.
                Thread.Sleep(200);
            }
        }
    }

    private string ReadLogTail()
    {
        try
        {
            return File.Exists(LogFile) ? "Server log (tail):\n" + string.Join('\n', File.ReadLines(LogFile).TakeLast(20)) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
