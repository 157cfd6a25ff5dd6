using System.Diagnostics;
using Npgsql;

namespace IronOrleans.AppHost;

/// <summary>
/// The local cloud's PostgreSQL server: a data directory under the state directory, initialised once with
/// <c>initdb</c> (as the <c>postgres</c> user when the AppHost runs as root, since PostgreSQL refuses root), then
/// run by Aspire as an executable listening on 127.0.0.1 only.
/// </summary>
internal sealed partial class LocalPostgres
{
    /// <summary>The server's superuser and, as root, the account its programs run as.</summary>
    public const string ServiceUser = "postgres";

    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromSeconds(90);

    public LocalPostgres(LocalCloudOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        BinDirectory = options.PostgresBinDirectory;
        RootDirectory = Path.Combine(options.ResolveStateDirectory(), "pg");
        Port = options.PostgresPort;
        DatabaseName = options.DatabaseName;
    }

    public string BinDirectory { get; }

    /// <summary>Holds <c>data/</c> and the Unix socket.</summary>
    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public int Port { get; }

    public string DatabaseName { get; }

    /// <summary>Connection string of the IronOrleans database (created by the schema migration if missing).</summary>
    public string ConnectionString => ConnectionStringFor(DatabaseName);

    /// <summary>Connection string of the maintenance database, for the readiness check.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    /// <summary>The program Aspire starts and its arguments: the server in the foreground, so stopping the resource stops it.</summary>
    public (string Command, string[] Arguments) ServerCommand()
    {
        string[] server =
        [
            Path.Combine(BinDirectory, "postgres"),
            "-D", DataDirectory,
            "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", RootDirectory,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=200",
        ];
        return AsServiceUser(server);
    }

    /// <summary>
    /// Creates the state directory and runs <c>initdb</c> unless the data directory already holds a cluster
    /// (so restarts keep their data). Throws with initdb's output when it fails.
    /// </summary>
    public async Task InitializeAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The local cloud runs PostgreSQL and the NodeAgents on Linux.");
        }

        foreach (var program in (string[])["initdb", "postgres"])
        {
            if (!File.Exists(Path.Combine(BinDirectory, program)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL program '{program}' not found in {BinDirectory}. Install it with 'apt-get install -y postgresql-15' " +
                    $"or set {LocalCloudOptions.SectionName}:{nameof(LocalCloudOptions.PostgresBinDirectory)}.");
            }
        }

        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            LogReusingDataDirectory(logger, DataDirectory);
            return;
        }

        if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"{DataDirectory} is not empty but holds no PostgreSQL cluster (an interrupted initdb?). Remove it and start again.");
        }

        var traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var stateDirectory = Path.GetDirectoryName(RootDirectory)!;
        Directory.CreateDirectory(stateDirectory, traversable);
        Directory.CreateDirectory(RootDirectory, traversable);
        if (Environment.IsPrivilegedProcess)
        {
            // The postgres user must reach the directory (a temp directory may be 0700) and own the cluster's root.
            File.SetUnixFileMode(stateDirectory, File.GetUnixFileMode(stateDirectory) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            await RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", RootDirectory], TimeSpan.FromSeconds(10), cancellationToken);
        }

        LogInitializing(logger, DataDirectory);
        var started = Stopwatch.GetTimestamp();
        var (command, arguments) = AsServiceUser(
        [
            Path.Combine(BinDirectory, "initdb"),
            "-D", DataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
        ]);
        await RunAsync(command, arguments, InitDbTimeout, cancellationToken);
        LogInitialized(logger, DataDirectory, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Opens a connection to the maintenance database and runs <c>SELECT 1</c>.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
        Timeout = 5,
        Pooling = database != "postgres",
    }.ConnectionString;

    private static (string Command, string[] Arguments) AsServiceUser(string[] commandLine) =>
        Environment.IsPrivilegedProcess
            ? ("/usr/bin/setpriv", [$"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", .. commandLine])
            : (commandLine[0], commandLine[1..]);

    private static async Task RunAsync(string command, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{command} {string.Join(' ', arguments)} failed (exit {process.ExitCode}):\n{await output}{await error}");
        }
    }
}
