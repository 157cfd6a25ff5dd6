namespace IronOrleans.PacketCore.Daemon.Hosting;

internal sealed partial class PacketCoreEngineService
{
    [LoggerMessage(EventId = 3210, Level = LogLevel.Information, Message =
        "PacketCore options: underlay {HostUnderlayAddress}, backend {Backend}, uplink {Uplink}, VM ports [{VmPorts}], " +
        "DHCP MTU {DhcpMtu}, DNS [{DhcpDns}], DNSv6 [{Dhcpv6Dns}], iPXE {IpxeMode}, router {RouterAddress}, " +
        "flow timeout {FlowTimeoutSeconds} s, TCP established timeout {TcpEstablishedTimeoutSeconds} s")]
    private static partial void LogOptions(
        ILogger logger,
        string hostUnderlayAddress,
        string backend,
        string uplink,
        string vmPorts,
        int dhcpMtu,
        string dhcpDns,
        string dhcpv6Dns,
        bool ipxeMode,
        string routerAddress,
        string flowTimeoutSeconds,
        string tcpEstablishedTimeoutSeconds);
}
