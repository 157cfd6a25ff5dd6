using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;
using IronOrleans.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace IronOrleans.AppHost.Tests;

/// <summary>
/// The local cloud end to end: aspire/AppHost brought up through Aspire.Hosting.Testing with its own state directory
/// and ports (so it never meets a developer's running local cloud), then the README's demo against it.
/// </summary>
public sealed class LocalCloudTests
{
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PostgresStopTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Resources = ["silo", "gateway", "node-a", "node-b"];

    [Fact]
    [Trait("Category", "E2E")]
    public async Task LocalCloud_ServesGrpcAndProgramsANicOnEachNode()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var cancellationToken = TestContext.Current.CancellationToken;
        var state = Directory.CreateTempSubdirectory("ironorleans-apphost-test-");
        var ports = FreeLoopbackPorts(6);
        var (postgresPort, gatewayPort, siloHttpPort) = (ports[0], ports[1], ports[2]);
        var started = Stopwatch.GetTimestamp();
        try
        {
            string[] args =
            [
                $"--IronOrleans:LocalCloud:StateDirectory={state.FullName}",
                Invariant($"--IronOrleans:LocalCloud:PostgresPort={postgresPort}"),
                Invariant($"--IronOrleans:LocalCloud:GatewayPort={gatewayPort}"),
                Invariant($"--IronOrleans:LocalCloud:SiloHttpPort={siloHttpPort}"),

                // The dashboard is off under test; move its other fixed ports off a developer's running AppHost anyway.
                Invariant($"--ASPNETCORE_URLS=http://127.0.0.1:{ports[3]}"),
                Invariant($"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{ports[4]}"),
                Invariant($"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{ports[5]}"),
            ];
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.IronOrleans_AppHost>(
                args, (options, _) => options.DisableDashboard = true, cancellationToken);
            await using (var app = await builder.BuildAsync(cancellationToken))
            {
                await app.StartAsync(cancellationToken);
                await WaitForHealthyAsync(app, cancellationToken);
                output.WriteLine($"silo, gateway, node-a and node-b healthy after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");

                // The Gateway's gRPC health over a real h2c channel, overall and for the provider API.
                using var channel = GrpcChannel.ForAddress(Invariant($"http://127.0.0.1:{gatewayPort}"));
                var health = new Health.HealthClient(channel);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
                    (await health.CheckAsync(new HealthCheckRequest(), cancellationToken: cancellationToken)).Status);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
                    (await health.CheckAsync(new HealthCheckRequest { Service = "ironorleans.provider.v1.ProviderService" }, cancellationToken: cancellationToken)).Status);

                // The Orleans dashboard on the silos' HTTP endpoint.
                using var silo = app.CreateHttpClient("silo", "http");
                using var dashboard = await silo.GetAsync(new Uri("/dashboard/", UriKind.Relative), cancellationToken);
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);

                // The README's demo: both nodes registered and programmed their NIC.
                var nics = await LocalCloudDemo.RunAsync(channel, output.WriteLine, DemoTimeout, cancellationToken);
                Assert.Equal(["node-a", "node-b"], nics.Select(n => n.Node).Order().ToArray());
                Assert.All(nics, nic =>
                {
                    Assert.Equal("READY", nic.State);
                    Assert.NotEmpty(nic.Device);
                    Assert.StartsWith($"ironcore-net://{LocalCloudDemo.Namespace}/{nic.Name}/{nic.Node}/", nic.ProviderId, StringComparison.Ordinal);
                });
                output.WriteLine($"demo done after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            }

            // Stopping the AppHost stops PostgreSQL (it removes postmaster.pid when it shuts down).
            var stopped = Stopwatch.GetTimestamp();
            Assert.True(await WaitForPostgresExitAsync(state.FullName), $"PostgreSQL still runs {PostgresStopTimeout.TotalSeconds:0} s after the AppHost stopped");
            output.WriteLine($"PostgreSQL stopped {Stopwatch.GetElapsedTime(stopped).TotalSeconds:0.0} s after the AppHost; total {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        }
        finally
        {
            await StopPostgresAndDeleteAsync(state);
        }
    }

    private static async Task WaitForHealthyAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthyTimeout);
        foreach (var resource in Resources)
        {
            try
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
            catch (DistributedApplicationException e)
            {
                Assert.Fail($"{e.Message} Resource states: {States(app)}. Last lines of {resource}:\n{await TailAsync(app, resource)}");
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"Waiting for {resource} to become healthy: not within {HealthyTimeout.TotalSeconds:0} s. Resource states: {States(app)}. "
                    + $"Last lines of {resource}:\n{await TailAsync(app, resource)}");
            }
        }
    }

    /// <summary>The last lines a resource (all its replicas) wrote, for a failure message.</summary>
    private static async Task<string> TailAsync(DistributedApplication app, string resource, int lines = 40)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.First(r => r.Name == resource);
        var tail = new Queue<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(model).WithCancellation(timeout.Token))
            {
                foreach (var line in batch)
                {
                    tail.Enqueue(line.Content);
                    if (tail.Count > lines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            tail.Enqueue("(log read timed out)");
        }

        return string.Join('\n', tail);
    }

    private static string States(DistributedApplication app) => string.Join(", ", Resources.Select(r =>
        app.ResourceNotifications.TryGetCurrentState(r, out var e) ? $"{r}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus} (exit code {e.Snapshot.ExitCode})" : $"{r}=?"));

    /// <summary>Waits (bounded) until the test's PostgreSQL has removed its pid file or its process is gone.</summary>
    private static async Task<bool> WaitForPostgresExitAsync(string stateDirectory)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(PostgresStopTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var attempt = 0; attempt < 300 && Stopwatch.GetTimestamp() < deadline; attempt++)
        {
            if (PostmasterPid(stateDirectory) is not { } pid || !IsRunning(pid))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        return false;
    }

    /// <summary>Clean-up that also runs on failure: stops this test's PostgreSQL if it survived, then deletes the state directory.</summary>
    private static async Task StopPostgresAndDeleteAsync(DirectoryInfo state)
    {
        if (!await WaitForPostgresExitAsync(state.FullName) && PostmasterPid(state.FullName) is { } pid)
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                await postmaster.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OperationCanceledException)
            {
                // Gone already, or did not die in time: the directory delete below still runs.
            }
        }

        for (var attempt = 0; attempt < 3 && state.Exists; attempt++)
        {
            try
            {
                state.Delete(recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
            }

            state.Refresh();
        }
    }

    private static int? PostmasterPid(string stateDirectory)
    {
        var pidFile = Path.Combine(stateDirectory, "pg", "data", "postmaster.pid");
        try
        {
            return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? pid
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Free loopback ports between Orleans' test-cluster ports and the kernel's ephemeral range. The AppHost binds them
    /// only seconds later (DCP's proxy for the Gateway), and meanwhile a port from the ephemeral range can become the
    /// local end of an outgoing connection of a test running in parallel (once the Gateway failed to start that way), and
    /// a port below 30000 can be handed to a TestCluster silo of another test project (Orleans 10.4's allocator takes
    /// silo ports from 22300-30000 and gateway ports from 12000-22000; in one full-suite run a Silo.Tests cluster stopped
    /// answering for 90 s while this test ran).
    /// </summary>
    private static int[] FreeLoopbackPorts(int count)
    {
        var ephemeralLow = 32768;
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            && int.TryParse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var low))
        {
            ephemeralLow = low;
        }

        var ports = new List<int>(count);
        const int AboveTestClusters = 30_000;
        var first = Random.Shared.Next(AboveTestClusters, Math.Max(AboveTestClusters + 1, ephemeralLow - 200));
        for (var port = first; port < ephemeralLow && ports.Count < count; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                ports.Add(port);
            }
            catch (SocketException)
            {
                // in use: try the next one
            }
        }

        return ports.Count == count ? [.. ports] : throw new InvalidOperationException($"no {count} free loopback ports between {first} and {ephemeralLow}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
