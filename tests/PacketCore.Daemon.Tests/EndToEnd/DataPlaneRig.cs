using System.Globalization;
using System.Net;
using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using IronOrleans.PacketCore.Grpc.V1;
using static IronOrleans.PacketCore.Daemon.Tests.Infrastructure.Wire;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>
/// One PacketCore daemon with real TAP ports (started in-process, gRPC on an ephemeral 127.0.0.1 port), its uplink TAP
/// in a namespace that plays the underlay router, and VM namespaces attached to VM ports on demand. Names are unique per
/// run; everything is torn down on dispose, also after a failure.
/// </summary>
public sealed class DataPlaneRig : IAsyncDisposable
{
    public const string HostUnderlay = "fc00:1::1";
    public const string UplinkMac = "02:10:00:00:00:01";
    public const string RouterMac = "02:30:00:00:00:01";
    public const string RemoteNextHop = "fc00:2::d000:0:0:1";
    public const int VmPortCount = 3;

    private readonly List<IAsyncDisposable> _owned = [];

    private DataPlaneRig(string runId, DaemonHost daemon, NetNs router)
    {
        RunId = runId;
        Daemon = daemon;
        Router = router;
    }

    public string RunId { get; }

    public DaemonHost Daemon { get; }

    /// <summary>The namespace holding the uplink TAP (the underlay router's side).</summary>
    public NetNs Router { get; }

    public string UplinkTap => $"pc{RunId}u";

    public static string VmPortMac(int i) => $"02:10:00:00:01:{i:x2}";

    public static string VmMac(int i) => $"02:20:00:00:01:{i:x2}";

    public string VmTap(int i) => $"pc{RunId}v{i.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Checks root and tools (fails clearly if missing), starts the daemon and the router namespace.</summary>
    public static async Task<DataPlaneRig> StartAsync(params string[] extraArgs)
    {
        Proc.RequireRoot();
        Proc.RequireTool("ip", "iproute2");
        Proc.RequireTool("busybox", "busybox");
        Proc.RequireTool("ping", "iputils-ping");
        Proc.RequireTool("python3", "python3");

        var runId = Guid.NewGuid().ToString("N")[..6];
        List<string> args =
        [
            "--port-backend=tap", "--ipv6=" + HostUnderlay, $"--pf0=pc{runId}u,{UplinkMac},{RouterMac}",
        ];
        for (var i = 0; i < VmPortCount; i++)
        {
            args.Add($"--vf=pc{runId}v{i.ToString(CultureInfo.InvariantCulture)},{VmPortMac(i)},{VmMac(i)}");
        }

        args.AddRange(extraArgs);
        var daemon = await DaemonHost.StartInitializedWithAsync([.. args]);
        NetNs? router = null;
        try
        {
            router = await NetNs.CreateAsync($"pc-{runId}-r");
            await router.MoveInAsync($"pc{runId}u");
            await router.CheckAsync("ip", "link", "set", $"pc{runId}u", "address", RouterMac);
            await router.CheckAsync("ip", "link", "set", $"pc{runId}u", "up");
            return new DataPlaneRig(runId, daemon, router);
        }
        catch
        {
            if (router is not null)
            {
                await router.DisposeAsync();
            }

            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates interface <paramref name="id"/> on VM port <paramref name="port"/> and attaches a VM namespace to it.</summary>
    public async Task<(TapVm Vm, IPAddress Underlay)> AddVmAsync(int port, string id, uint vni, string ipv4)
    {
        var created = await Daemon.Client.CreateInterfaceAsync(Interface(id, vni, ipv4, "::", VmTap(port)), cancellationToken: Ct);
        AssertOk(created.Status);
        var vm = await TapVm.AttachAsync($"pc-{RunId}-vm{port.ToString(CultureInfo.InvariantCulture)}", VmTap(port), VmMac(port));
        _owned.Add(vm);
        return (vm, IPAddress.Parse(created.UnderlayRoute.ToStringUtf8()));
    }

    public async Task AddRouteAsync(uint vni, string prefix, uint length, string nextHop = RemoteNextHop) =>
        AssertOk((await Daemon.Client.CreateRouteAsync(new CreateRouteRequest { Vni = vni, Route = Route(prefix, length, nextHop, vni) }, cancellationToken: Ct)).Status);

    public async ValueTask DisposeAsync()
    {
        List<Exception> errors = [];
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }

        try
        {
            await Router.DisposeAsync();
        }
        catch (Exception ex)
        {
            errors.Add(ex);
        }

        // Stopping the daemon closes the TAP fds, which removes the (non-persistent) devices.
        await Daemon.DisposeAsync();
        if (errors.Count > 0)
        {
            throw new AggregateException("tearing down the data-plane rig failed", errors);
        }
    }
}
