using System.Globalization;
using Microsoft.Extensions.Options;

namespace IronOrleans.PacketCore.Daemon.Hosting;

/// <summary>Starts the engine's worker with the host and stops it (bounded) on shutdown; prints the options once.</summary>
internal sealed partial class PacketCoreEngineService(
    PacketCoreEngine engine,
    IOptions<PacketCoreOptions> options,
    ILogger<PacketCoreEngineService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        LogOptions(
            logger,
            o.HostUnderlayAddress,
            o.Backend.ToString(),
            Describe(o.Uplink),
            string.Join(" ", o.VmPorts.Select(Describe)),
            o.DhcpMtu,
            string.Join(",", o.DhcpDns),
            string.Join(",", o.Dhcpv6Dns),
            o.IpxeMode,
            o.RouterAddress ?? "",
            o.FlowTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            o.TcpEstablishedTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        engine.Start();
        return Task.CompletedTask;
    }

    private static string Describe(PacketPortOptions p) => $"{p.Name}(tap {p.TapName ?? p.Name}, mac {p.Mac}, peer {p.PeerMac ?? "-"})";

    public Task StopAsync(CancellationToken cancellationToken)
    {
        engine.Stop();
        return Task.CompletedTask;
    }
}
