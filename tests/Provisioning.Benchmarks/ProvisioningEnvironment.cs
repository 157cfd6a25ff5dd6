using System.Diagnostics;
using System.Globalization;
using IronOrleans.Grains;
using IronOrleans.NodeAgent;
using IronOrleans.NodeAgent.DataPlane;
using IronOrleans.PacketCore;
using IronOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// A throwaway cloud on loopback, built with the production host extensions and PostgreSQL membership: one control silo
/// (<c>AddIronOrleansSilo</c>), NodeAgent silos (<c>AddNodeAgent</c>, several simulated nodes each, every node's
/// data plane wrapped in an <see cref="ObservingDataPlane"/>), the Gateway (<c>AddIronOrleansGateway</c>), and the victim
/// NodeAgent in a child process (<see cref="AgentChild"/>, also <c>AddNodeAgent</c>). Orleans membership settings are not touched
/// here, so every silo, the victim included, runs IronOrleans' production ones (<see cref="IronOrleansMembership"/>).
/// </summary>
internal sealed class ProvisioningEnvironment : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private readonly List<IHost> _agentSilos = [];
    private readonly Dictionary<string, PacketCoreEngine> _engines = new(StringComparer.Ordinal);
    private PostgresServer? _postgres;
    private IHost? _controlSilo;
    private WebApplication? _gateway;
    private Process? _victim;

    private ProvisioningEnvironment(Topology topology) => Topology = topology;

    public Topology Topology { get; }

    public RouteTracker Tracker { get; } = new();

    public Uri GatewayAddress { get; private set; } = null!;

    public string ClusterId { get; } = "prov-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Grain calls from the control silo's process (grain-level scenarios and diagnostics).</summary>
    public IGrainFactory Grains => _controlSilo!.Services.GetRequiredService<IGrainFactory>();

    public IClusterMembershipService Membership => _controlSilo!.Services.GetRequiredService<IClusterMembershipService>();

    public ClusterMembershipOptions MembershipOptions => _controlSilo!.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterMembershipOptions>>().Value;

    public TimeSpan TickInterval => _agentSilos[0].Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NodeAgentOptions>>().Value.TickInterval;

    /// <summary>The in-process PacketCore of every bench and conv node.</summary>
    public IReadOnlyDictionary<string, PacketCoreEngine> Engines => _engines;

    public bool VictimRunning => _victim is { HasExited: false };

    public static async Task<ProvisioningEnvironment> StartAsync(Topology topology)
    {
        var environment = new ProvisioningEnvironment(topology);
        try
        {
            await environment.DeployAsync();
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    private async Task DeployAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _controlSilo = await StartControlSiloAsync();
        var agents = Enumerable.Range(0, Topology.AgentSilos).Select(i => StartAgentSiloAsync(Topology.NodesOfSilo(i))).ToArray();
        _agentSilos.AddRange(await Task.WhenAll(agents));
        _gateway = await StartGatewayAsync();
        GatewayAddress = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        if (Topology.Options.Scenario is "all" or "dead-node")
        {
            _victim = StartVictim();
        }

        var nodes = Topology.BenchNodes.Concat(Topology.ConvNodes).Concat(_victim is null ? [] : [Topology.Victim]).ToArray();
        await WaitAgentsStartedAsync(nodes);
    }

    private async Task<IHost> StartControlSiloAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ironorleans"] = _postgres!.ConnectionString,
            ["IronOrleans:Silo:ClusterId"] = ClusterId,
            ["IronOrleans:Silo:ServiceId"] = ClusterId,
            ["IronOrleans:Silo:SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["IronOrleans:Silo:GatewayPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["IronOrleans:Silo:AdvertisedIPAddress"] = "127.0.0.1",
            ["IronOrleans:Allocation:PublicPrefixes:0"] = "100.64.0.0/16",
        });
        ConfigureLogging(builder.Logging);
        builder.AddIronOrleansSilo();
        ConfigureStreamPolling(builder.Services, Topology.Options.StreamPoll);

        // Production control silos do not carry the NodeAgent assembly; this process does, so hide its grain classes.
        ExcludeGrainClasses(builder.Services, typeof(NodeAgentOptions).Assembly);
        var host = builder.Build();
        using var cts = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(cts.Token);
        return host;
    }

    private async Task<IHost> StartAgentSiloAsync(IReadOnlyList<string> nodes)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(AgentSiloConfig(nodes));
        ConfigureLogging(builder.Logging);
        builder.AddNodeAgent();
        ConfigureStreamPolling(builder.Services, Topology.Options.StreamPoll);

        // Production NodeAgents only reference Grains.Interfaces; keep the control grains off the agent silos here too.
        ExcludeGrainClasses(builder.Services, typeof(IronOrleans.Grains.Routing.RouteTableState).Assembly);
        var host = builder.Build();

        // Before the agents start, give each node its real engine, wrapped so route changes are reported. The engine is the
        // production one, only its in-memory ports get 2-slot rings (PacketCore:InMemoryRingSize in the topology's
        // configuration): the default 1024-slot rings preallocate ~4 MB per port, and 500+ VM ports on each of 20 nodes would
        // need ~40 GB. (The agent silo's own engines, replaced here, are built with one VM port and the same small rings.)
        var planes = host.Services.GetRequiredService<NodeDataPlanes>();
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        foreach (var node in nodes)
        {
            var engine = new PacketCoreEngine(Topology.PacketCoreOptionsOf(node), loggers);
            planes.Replace(node, new ObservingDataPlane(new InProcessDataPlane(engine.Control, node), node, Tracker));
            lock (_engines)
            {
                _engines[node] = engine;
            }
        }

        using var cts = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(cts.Token);
        return host;
    }

    private Dictionary<string, string?> AgentSiloConfig(IReadOnlyList<string> nodes)
    {
        var config = Topology.NodeAgentConfig(nodes, vmPorts: nodes is [var only] && only == Topology.Victim ? null : 1);
        config["ConnectionStrings:ironorleans"] = _postgres!.ConnectionString;
        config[NodeAgentHostOptions.SectionName + ":ClusterId"] = ClusterId;
        config[NodeAgentHostOptions.SectionName + ":ServiceId"] = ClusterId;
        config[NodeAgentHostOptions.SectionName + ":SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        config[NodeAgentHostOptions.SectionName + ":AdvertisedIPAddress"] = "127.0.0.1";
        return config;
    }

    private async Task<WebApplication> StartGatewayAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IronOrleans:Gateway:Url"] = "http://127.0.0.1:0",
            ["IronOrleans:Gateway:ConnectionString"] = _postgres!.ConnectionString,
            ["IronOrleans:Gateway:ClusterId"] = ClusterId,
            ["IronOrleans:Gateway:ServiceId"] = ClusterId,
        });
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging);
        builder.AddIronOrleansGateway();
        var app = builder.Build();
        app.MapIronOrleansGateway();
        using var cts = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(cts.Token);
        return app;
    }

    /// <summary>The victim: this executable in <c>--agent-child</c> mode, one node, configured through environment variables.</summary>
    private Process StartVictim()
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(ProvisioningEnvironment).Assembly.Location);
        }

        start.ArgumentList.Add(AgentChild.Argument);
        foreach (var (key, value) in AgentSiloConfig([Topology.Victim]))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["DOTNET_gcServer"] = "0";
        if (Topology.Options.StreamPoll is { } poll)
        {
            start.Environment[AgentChild.StreamPollVariable] = poll.TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the victim NodeAgent");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        static void Forward(string? line)
        {
            if (!string.IsNullOrEmpty(line))
            {
                Console.Error.WriteLine("[victim] " + line);
            }
        }
    }

    /// <summary>Kills the victim NodeAgent process (SIGKILL: no goodbye to the membership table) and returns the timestamp.</summary>
    public long KillVictim()
    {
        var victim = _victim ?? throw new InvalidOperationException("no victim process");
        var at = Stopwatch.GetTimestamp();
        victim.Kill(entireProcessTree: true);
        return at;
    }

    private async Task WaitAgentsStartedAsync(string[] nodes)
    {
        var pending = new HashSet<string>(nodes, StringComparer.Ordinal);
        var sw = Stopwatch.StartNew();
        Exception? last = null;
        while (pending.Count > 0 && sw.Elapsed < StartTimeout)
        {
            if (_victim is { HasExited: true })
            {
                throw new InvalidOperationException($"the victim NodeAgent exited with code {_victim.ExitCode}");
            }

            foreach (var node in pending.ToArray())
            {
                try
                {
                    var state = await Grains.GetGrain<INodeAgentGrain>(node).GetStateAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    if (state.DataPlaneUuid is not null)
                    {
                        pending.Remove(node);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    last = ex;
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(200);
            }
        }

        if (pending.Count > 0)
        {
            throw new TimeoutException($"NodeAgents not started after {StartTimeout.TotalSeconds:0} s: {string.Join(", ", pending.Take(10))} (last error: {last?.Message})");
        }
    }

    /// <summary>The stream provider's queue poll period as the control silo runs it.</summary>
    public TimeSpan StreamPollPeriod => PollPeriodOf(_controlSilo!);

    /// <summary>The same as the (first) NodeAgent silo runs it; the two must agree.</summary>
    public TimeSpan AgentStreamPollPeriod => PollPeriodOf(_agentSilos[0]);

    private static TimeSpan PollPeriodOf(IHost silo) => silo.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<StreamPullingAgentOptions>>()
        .Get(IronOrleansNames.StreamProvider).GetQueueMsgsTimerPeriod;

    internal static void ConfigureStreamPolling(IServiceCollection services, TimeSpan? period)
    {
        if (period is { } p)
        {
            services.Configure<StreamPullingAgentOptions>(IronOrleansNames.StreamProvider, o => o.GetQueueMsgsTimerPeriod = p);
        }
    }

    internal static void ExcludeGrainClasses(IServiceCollection services, System.Reflection.Assembly assembly)
        => services.PostConfigure<GrainTypeOptions>(o => o.Classes.RemoveWhere(t => t.Assembly == assembly));

    internal static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        }).SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Error);
        logging.AddFilter("Microsoft", LogLevel.Error);
        logging.AddFilter("Polly", LogLevel.None); // placement retries while a node's agent is (not yet / no longer) there
        if (Environment.GetEnvironmentVariable("IRONORLEANS_BENCH_DEBUG") is { Length: > 0 } category)
        {
            logging.AddFilter(category, LogLevel.Debug); // diagnosis: e.g. IronOrleans.NodeAgent.Reconciliation
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_victim is not null)
        {
            if (!_victim.HasExited)
            {
                _victim.Kill(entireProcessTree: true);
            }

            _victim.Dispose();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (_gateway is not null)
        {
            await _gateway.StopAsync(cts.Token);
            await _gateway.DisposeAsync();
        }

        foreach (var host in _agentSilos)
        {
            await host.StopAsync(cts.Token);
            host.Dispose();
        }

        if (_controlSilo is not null)
        {
            await _controlSilo.StopAsync(cts.Token);
            _controlSilo.Dispose();
        }

        foreach (var engine in _engines.Values)
        {
            engine.Dispose();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
