using System.Net;
using System.Net.Sockets;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.PacketCore;

/// <summary>The options parsed once into the numeric forms the packet path uses.</summary>
internal sealed class EngineSettings
{
    public required UInt128 HostUnderlay { get; init; }

    /// <summary>Our own MAC per port (index 0 = uplink).</summary>
    public required ulong[] PortMacs { get; init; }

    /// <summary>Configured peer MAC per port (0 = unknown, learn it).</summary>
    public required ulong[] PeerMacs { get; init; }

    /// <summary>0 = none configured.</summary>
    public required UInt128 RouterAddress { get; init; }

    public required int DhcpMtu { get; init; }

    public required uint[] DhcpDns { get; init; }

    public required UInt128[] Dhcpv6Dns { get; init; }

    public required bool IpxeMode { get; init; }

    public required TimeSpan FlowTimeout { get; init; }

    public required TimeSpan TcpEstablishedTimeout { get; init; }

    public required int FlowCapacity { get; init; }

    public required int AgingEntriesPerBurst { get; init; }

    public required int BurstSize { get; init; }

    public required int TraceCapacity { get; init; }

    public required TimeSpan AnnouncementInterval { get; init; }

    public static EngineSettings From(PacketCoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.HostUnderlayAddress))
        {
            throw new ArgumentException("PacketCore:HostUnderlayAddress is required.", nameof(options));
        }

        var all = new List<PacketPortOptions>(options.VmPorts.Count + 1) { options.Uplink };
        all.AddRange(options.VmPorts);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var macs = new ulong[all.Count];
        var peers = new ulong[all.Count];
        for (var i = 0; i < all.Count; i++)
        {
            var port = all[i];
            if (string.IsNullOrEmpty(port.Name) || !names.Add(port.Name))
            {
                throw new ArgumentException($"Port {i} needs a unique, non-empty name.", nameof(options));
            }

            macs[i] = PacketCoreEngine.ParseMac(port.Mac);
            if (macs[i] == 0 || (macs[i] & 0x0100_0000_0000UL) != 0)
            {
                throw new ArgumentException($"Port '{port.Name}' needs a unicast MAC.", nameof(options));
            }

            peers[i] = PacketCoreEngine.ParseMac(port.PeerMac);
        }

        if (options.DhcpMtu is < 68 or > 1500)
        {
            throw new ArgumentException("PacketCore:DhcpMtu must be within 68..1500.", nameof(options));
        }

        if (options.BurstSize is < 1 or > 256)
        {
            throw new ArgumentException("PacketCore:BurstSize must be within 1..256.", nameof(options));
        }

        var dns = new uint[options.DhcpDns.Count];
        for (var i = 0; i < dns.Length; i++)
        {
            if (!IPAddress.TryParse(options.DhcpDns[i], out var address) || address.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"DhcpDns entry '{options.DhcpDns[i]}' is not IPv4.", nameof(options));
            }

            dns[i] = AddressConversions.ToUInt32(address);
        }

        var dns6 = new UInt128[options.Dhcpv6Dns.Count];
        for (var i = 0; i < dns6.Length; i++)
        {
            dns6[i] = PacketCoreEngine.ParseIpv6(options.Dhcpv6Dns[i], "Dhcpv6Dns entry");
        }

        return new EngineSettings
        {
            HostUnderlay = PacketCoreEngine.ParseIpv6(options.HostUnderlayAddress, "PacketCore:HostUnderlayAddress"),
            PortMacs = macs,
            PeerMacs = peers,
            RouterAddress = string.IsNullOrEmpty(options.RouterAddress) ? UInt128.Zero : PacketCoreEngine.ParseIpv6(options.RouterAddress, "PacketCore:RouterAddress"),
            DhcpMtu = options.DhcpMtu,
            DhcpDns = dns,
            Dhcpv6Dns = dns6,
            IpxeMode = options.IpxeMode,
            FlowTimeout = options.FlowTimeout,
            TcpEstablishedTimeout = options.TcpEstablishedTimeout,
            FlowCapacity = Math.Max(16, options.FlowCapacity),
            AgingEntriesPerBurst = Math.Max(1, options.AgingEntriesPerBurst),
            BurstSize = options.BurstSize,
            TraceCapacity = Math.Max(16, options.TraceCapacity),
            AnnouncementInterval = options.AnnouncementInterval < TimeSpan.Zero ? TimeSpan.Zero : options.AnnouncementInterval,
        };
    }
}
