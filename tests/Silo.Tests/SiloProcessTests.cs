using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;

namespace IronOrleans.Silo.Tests;

/// <summary>The real <c>IronOrleans.Silo</c> executable: the <c>migrate</c> verb and a full silo start and stop.</summary>
[Trait("Category", "Cluster")]
public sealed class SiloProcessTests(PostgresServerFixture postgres)
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_CreatesTheDatabaseAppliesTheSchemaAndExitsZero_Twice()
    {
        var connectionString = postgres.Server.ConnectionStringFor("io_migrate_" + Guid.NewGuid().ToString("N")[..8]);

        var first = await RunToExitAsync(["migrate", "--connection-string", connectionString], new Dictionary<string, string>());
        var second = await RunToExitAsync(["migrate"], new Dictionary<string, string> { ["ConnectionStrings__ironorleans"] = connectionString });

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Created database", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("0 script(s) applied", second.Output, StringComparison.Ordinal);
        Assert.Equal(13L, await Database.ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleansquery"));
    }

    [Fact]
    public async Task Migrate_WithoutConnectionString_FailsNamingTheSetting()
    {
        var result = await RunToExitAsync(["migrate"], new Dictionary<string, string>());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ConnectionStrings__ironorleans", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_WithMigrateOnStart_JoinsTheClusterServesHealthAndDashboard_AndLeavesGracefully()
    {
        var connectionString = postgres.Server.ConnectionStringFor("io_host_" + Guid.NewGuid().ToString("N")[..8]);
        var clusterId = "host-" + Guid.NewGuid().ToString("N")[..8];
        var httpPort = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ironorleans"] = connectionString,
            ["IronOrleans__Database__MigrateOnStart"] = "true",
            ["IronOrleans__Silo__ClusterId"] = clusterId,
            ["IronOrleans__Silo__SiloPort"] = Text(FreePort()),
            ["IronOrleans__Silo__GatewayPort"] = Text(FreePort()),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
        };

        await RunSiloAsync(environment, connectionString, clusterId, httpPort, async (http, output) =>
        {
            Assert.Equal("Healthy", await http.GetStringAsync("/alive", Ct));
            Assert.Contains("<title>Orleans Dashboard</title>", await http.GetStringAsync("/dashboard/", Ct), StringComparison.Ordinal);
            Assert.Contains("MigrateOnStart: True", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Username=postgres", output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Silo_ConfiguredLikeAspire_TakesClusteringAndEndpointsFromOrleansConfiguration()
    {
        // Aspire's WithClustering + WithReference set these variables; the silo must not add its own clustering.
        var connectionString = await postgres.Server.CreateDatabaseAsync("aspire", cancellationToken: Ct);
        var clusterId = "aspire-" + Guid.NewGuid().ToString("N")[..8];
        var siloPort = FreePort();
        var httpPort = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ironorleans"] = connectionString,
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = "aspire-service",
            ["Orleans__Clustering__ProviderType"] = "AdoNet",
            ["Orleans__Clustering__ServiceKey"] = "ironorleans",
            ["Orleans__Clustering__Invariant"] = "Npgsql",
            ["Orleans__Clustering__ConnectionName"] = "ironorleans",
            ["Orleans__Endpoints__SiloPort"] = Text(siloPort),
            ["Orleans__Endpoints__GatewayPort"] = Text(FreePort()),
            ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
        };

        await RunSiloAsync(environment, connectionString, clusterId, httpPort, async (_, _) =>
            Assert.Equal(1L, await Database.ScalarAsync<long>(
                connectionString,
                "SELECT count(*) FROM orleans_membership WHERE deploymentid = @cluster AND port = @port",
                ("cluster", clusterId),
                ("port", siloPort))));
    }

    /// <summary>
    /// Starts the silo, waits for /health and an Active membership row, runs <paramref name="check"/>, then stops the
    /// silo with SIGTERM and expects its row to turn Dead (graceful shutdown).
    /// </summary>
    private static async Task RunSiloAsync(
        Dictionary<string, string> environment, string connectionString, string clusterId, int httpPort, Func<HttpClient, string, Task> check)
    {
        using var silo = Start([], environment);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
            await Wait.UntilAsync(
                async () => silo.Process.HasExited
                    ? throw new InvalidOperationException($"The silo exited with {silo.Process.ExitCode}:\n{silo.Output}")
                    : await IsOkAsync(http, "/health"),
                ProcessTimeout,
                "the silo's /health endpoint");
            await Wait.UntilAsync(
                async () => await Database.MembersAsync(connectionString, clusterId, status: 3) == 1,
                ProcessTimeout,
                "the silo to be Active in orleans_membership");

            await check(http, silo.Output);

            Assert.Equal(0, NativeMethods.Kill(silo.Process.Id, NativeMethods.SigTerm));

            using var exit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            exit.CancelAfter(ProcessTimeout);
            await silo.Process.WaitForExitAsync(exit.Token);
            Assert.Equal(1L, await Database.MembersAsync(connectionString, clusterId, status: 6));
        }
        finally
        {
            if (!silo.Process.HasExited)
            {
                silo.Process.Kill(entireProcessTree: true);
            }

            NpgsqlConnection.ClearAllPools();
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task<bool> IsOkAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path, Ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToExitAsync(string[] arguments, Dictionary<string, string> environment)
    {
        using var run = Start(arguments, environment);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(ProcessTimeout);
        try
        {
            await run.Process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!run.Process.HasExited)
            {
                run.Process.Kill(entireProcessTree: true);
            }
        }

        return (run.Process.ExitCode, run.Output);
    }

    private static SiloProcess Start(string[] arguments, Dictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IronOrleans.Silo.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Only what the test sets: no inherited connection strings or Orleans settings.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
            || k.StartsWith("Orleans__", StringComparison.Ordinal) || k.StartsWith("IronOrleans__", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        return new SiloProcess(startInfo);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static class NativeMethods
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }

    private sealed class SiloProcess : IDisposable
    {
        private readonly StringBuilder _output = new();

        public SiloProcess(ProcessStartInfo startInfo)
        {
            Process = new Process { StartInfo = startInfo };
            Process.OutputDataReceived += (_, e) => Append(e.Data);
            Process.ErrorDataReceived += (_, e) => Append(e.Data);
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose() => Process.Dispose();

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
