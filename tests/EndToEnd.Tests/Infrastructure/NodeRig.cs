using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using IronOrleans.PacketCore.Daemon.Tests.EndToEnd;
using Dp = IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One hypervisor: a PacketCore daemon process (TAP uplink + VM ports, gRPC on a per-run loopback port) and the
/// NodeAgent process that drives it. The uplink TAP lives in the router namespace on the node's own /64.
/// </summary>
public sealed class NodeRig : IAsyncDisposable
{
    public const int VmPortCount = 2;
    private int _agentIncarnation;

    internal NodeRig(string runId, char letter, string logDirectory)
    {
        Letter = letter;
        Name = "node-" + letter;
        RunId = runId;
        LogDirectory = logDirectory;
        DaemonPort = FreePorts.Next();
        AgentSiloPort = FreePorts.Next();
        AgentHttpPort = FreePorts.Next();
        Channel = GrpcChannel.ForAddress(DaemonAddress);
        Daemon = new Dp.DPDKironcore.DPDKironcoreClient(Channel);
    }

    public char Letter { get; }

    /// <summary>Node name as NICs carry it in spec.node.</summary>
    public string Name { get; }

    public string RunId { get; }

    public string LogDirectory { get; }

    /// <summary>The node's underlay /64 (fd00:a::/64 for node-a).</summary>
    public string UnderlayPrefix => $"fd00:{Letter}::/64";

    /// <summary>Host underlay address given to the daemon (--ipv6).</summary>
    public string HostUnderlay => $"fd00:{Letter}::1";

    /// <summary>The router's address on this node's link (--router-address).</summary>
    public string RouterAddress => $"fd00:{Letter}::fffe";

    public string UplinkTap => $"ioe{RunId}{Letter}u";

    public string UplinkMac => $"02:{Hex(Letter)}:00:00:00:01";

    public string RouterMac => $"02:{Hex(Letter)}:00:00:00:fe";

    public string VmTap(int i) => $"ioe{RunId}{Letter}{i.ToString(CultureInfo.InvariantCulture)}";

    public string VmPortMac(int i) => $"02:{Hex(Letter)}:00:00:01:{i:x2}";

    public string VmMac(int i) => $"02:{Hex(Letter)}:00:00:02:{i:x2}";

    /// <summary>The VM MAC the daemon expects behind <paramref name="tap"/>.</summary>
    public string VmMacOf(string tap)
    {
        for (var i = 0; i < VmPortCount; i++)
        {
            if (VmTap(i) == tap)
            {
                return VmMac(i);
            }
        }

        throw new InvalidOperationException($"{tap} is not a VM port of {Name} (ports {string.Join(", ", Enumerable.Range(0, VmPortCount).Select(VmTap))})");
    }

    public int DaemonPort { get; }

    public string DaemonAddress => $"http://127.0.0.1:{DaemonPort.ToString(CultureInfo.InvariantCulture)}";

    public int AgentSiloPort { get; }

    public int AgentHttpPort { get; }

    public GrpcChannel Channel { get; }

    /// <summary>dpservice-contract client of this node's PacketCore (the test's independent view of the data plane).</summary>
    public Dp.DPDKironcore.DPDKironcoreClient Daemon { get; }

    public ServiceProcess? DaemonProcess { get; private set; }

    public ServiceProcess? Agent { get; private set; }

    /// <summary>Every agent process started so far (restarts keep the old, dead ones for their logs).</summary>
    public List<ServiceProcess> AgentHistory { get; } = [];

    internal IEnumerable<string> DaemonArguments()
    {
        yield return "--grpc-port=" + DaemonPort.ToString(CultureInfo.InvariantCulture);
        yield return "--grpc-address=127.0.0.1";
        yield return "--port-backend=tap";
        yield return "--ipv6=" + HostUnderlay;
        yield return "--router-address=" + RouterAddress;
        yield return $"--pf0={UplinkTap},{UplinkMac},{RouterMac}";
        for (var i = 0; i < VmPortCount; i++)
        {
            yield return $"--vf={VmTap(i)},{VmPortMac(i)},{VmMac(i)}";
        }
    }

    internal void StartDaemon() =>
        DaemonProcess = ServiceProcess.Start($"packetcore-{Letter}", RepoLayout.PacketCoreDaemon, DaemonArguments(),
            new Dictionary<string, string>(), Path.Combine(LogDirectory, $"packetcore-{Letter}.log"));

    /// <summary>Waits until the daemon answers gRPC and its TAP devices exist.</summary>
    internal async Task WaitForDaemonAsync(TimeSpan timeout)
    {
        await Wait.UntilAsync(
            async () =>
            {
                if (DaemonProcess!.HasExited)
                {
                    throw new InvalidOperationException($"PacketCore {Name} exited:\n{DaemonProcess.Tail(30)}");
                }

                try
                {
                    await Daemon.CheckInitializedAsync(new Dp.CheckInitializedRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    return false;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted)
                {
                    // "not initialized": serving; the NodeAgent calls Initialize
                }

                var link = await Proc.RunAsync("ip", ["link", "show", UplinkTap], TimeSpan.FromSeconds(10));
                return link.Ok;
            },
            timeout,
            $"PacketCore of {Name} to answer on {DaemonAddress} with TAP {UplinkTap}",
            () => Task.FromResult(DaemonProcess!.Tail(20)));
    }

    /// <summary>Starts (or restarts) this node's NodeAgent process.</summary>
    internal void StartAgent(string connectionString, string clusterId)
    {
        _agentIncarnation++;
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ironorleans"] = connectionString,
            ["IronOrleans__NodeAgent__Nodes__0__Name"] = Name,
            ["IronOrleans__NodeAgent__Nodes__0__DataPlane"] = "Grpc",
            ["IronOrleans__NodeAgent__Nodes__0__GrpcAddress"] = DaemonAddress,
            ["IronOrleans__NodeAgent__Nodes__0__UnderlayPrefix"] = UnderlayPrefix,
            ["IronOrleans__NodeAgent__Silo__ClusterId"] = clusterId,
            ["IronOrleans__NodeAgent__Silo__ServiceId"] = clusterId,
            ["IronOrleans__NodeAgent__Silo__SiloPort"] = AgentSiloPort.ToString(CultureInfo.InvariantCulture),
            ["IronOrleans__NodeAgent__Silo__AdvertisedIPAddress"] = "127.0.0.1",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AgentHttpPort.ToString(CultureInfo.InvariantCulture)}",
        };
        Agent = ServiceProcess.Start($"nodeagent-{Letter}#{_agentIncarnation}", RepoLayout.NodeAgent, [], environment,
            Path.Combine(LogDirectory, $"nodeagent-{Letter}-{_agentIncarnation.ToString(CultureInfo.InvariantCulture)}.log"));
        AgentHistory.Add(Agent);
    }

    /// <summary>Waits until the current agent process logged that its node agent started (event 3001).</summary>
    internal Task WaitForAgentStartedAsync(TimeSpan timeout)
    {
        var agent = Agent!;
        return Wait.UntilAsync(
            () => agent.HasExited
                ? throw new InvalidOperationException($"{agent.Name} exited:\n{agent.Tail(40)}")
                : Task.FromResult(agent.ReadLog().Contains($"Node {Name} agent started", StringComparison.Ordinal)),
            timeout,
            $"{agent.Name} to log 'Node {Name} agent started'",
            () => Task.FromResult(agent.Tail(20)));
    }

    // --- the test's view of the data plane (dpservice contract) ---

    public async Task<IReadOnlyList<Dp.Interface>> InterfacesAsync()
    {
        var response = await Daemon.ListInterfacesAsync(new Dp.ListInterfacesRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.True(response.Status is null || response.Status.Code == 0, $"ListInterfaces on {Name}: {response.Status}");
        return response.Interfaces;
    }

    /// <summary>Routes of <paramref name="vni"/> as "prefix/len -> next hop" (empty when PacketCore does not know the VNI).</summary>
    public async Task<IReadOnlyList<string>> RoutesAsync(uint vni)
    {
        var response = await Daemon.ListRoutesAsync(new Dp.ListRoutesRequest { Vni = vni }, deadline: DateTime.UtcNow.AddSeconds(10));
        if (response.Status is { Code: not 0 })
        {
            return [];
        }

        return [.. response.Routes.Select(r =>
            $"{r.Prefix.Ip.Address.ToStringUtf8()}/{r.Prefix.Length.ToString(CultureInfo.InvariantCulture)} -> {r.NexthopAddress.Address.ToStringUtf8()}")];
    }

    public static string Utf8(ByteString bytes) => bytes.ToStringUtf8();

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in AgentHistory)
        {
            await agent.DisposeAsync();
        }

        if (DaemonProcess is not null)
        {
            await DaemonProcess.DisposeAsync(); // closing the TAP fds removes the devices
        }

        Channel.Dispose();
    }

    private static string Hex(char letter) => ((int)letter).ToString("x2", CultureInfo.InvariantCulture);
}
