using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace IronOrleans.PacketCore.Daemon.Hosting;

/// <summary>
/// Start-time validation of the engine options the daemon hosts, with messages that name the setting and its
/// command-line switch. Runs before the engine opens any port.
/// </summary>
internal sealed class PacketCoreOptionsValidator : IValidateOptions<PacketCoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PacketCoreOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.HostUnderlayAddress, out var host) || host.AddressFamily != AddressFamily.InterNetworkV6)
        {
            failures.Add($"PacketCore:HostUnderlayAddress (--ipv6) must be the host's underlay IPv6 address, got '{options.HostUnderlayAddress}'.");
        }

        CheckPort(failures, "PacketCore:Uplink (--pf0)", options.Uplink);
        if (options.VmPorts.Count == 0)
        {
            failures.Add("PacketCore:VmPorts (--vf) needs at least one VM port '<tap>,<mac>'.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal) { options.Uplink.Name };
        for (var i = 0; i < options.VmPorts.Count; i++)
        {
            var port = options.VmPorts[i];
            CheckPort(failures, $"PacketCore:VmPorts:{i.ToString(CultureInfo.InvariantCulture)} (--vf)", port);
            if (!names.Add(port.Name))
            {
                failures.Add($"Port name '{port.Name}' is used twice.");
            }
        }

        if (options.DhcpMtu is < 68 or > 1500)
        {
            failures.Add($"PacketCore:DhcpMtu (--dhcp-mtu) must be 68-1500, got {options.DhcpMtu.ToString(CultureInfo.InvariantCulture)}.");
        }

        CheckAddresses(failures, "PacketCore:DhcpDns (--dhcp-dns)", options.DhcpDns, AddressFamily.InterNetwork);
        CheckAddresses(failures, "PacketCore:Dhcpv6Dns (--dhcpv6-dns)", options.Dhcpv6Dns, AddressFamily.InterNetworkV6);
        if (options.RouterAddress is { Length: > 0 } router
            && (!IPAddress.TryParse(router, out var r) || r.AddressFamily != AddressFamily.InterNetworkV6))
        {
            failures.Add($"PacketCore:RouterAddress (--router-address) must be IPv6, got '{router}'.");
        }

        if (options.InMemoryRingSize is < 2 or > 65_536 || !int.IsPow2(options.InMemoryRingSize))
        {
            failures.Add($"PacketCore:InMemoryRingSize must be a power of two from 2 to 65536, got {options.InMemoryRingSize.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.FlowTimeout <= TimeSpan.Zero)
        {
            failures.Add("PacketCore:FlowTimeout (--flow-timeout) must be positive.");
        }

        if (options.TcpEstablishedTimeout <= TimeSpan.Zero)
        {
            failures.Add("PacketCore:TcpEstablishedTimeout (--tcp-established-timeout) must be positive.");
        }

        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Append(DaemonCommandLine.Usage));
    }

    private static void CheckPort(List<string> failures, string what, PacketPortOptions port)
    {
        if (string.IsNullOrEmpty(port.Name))
        {
            failures.Add($"{what} needs a name.");
        }

        var tap = port.TapName ?? port.Name;
        if (tap.Length is 0 or > 15)
        {
            failures.Add($"{what} TAP name '{tap}' must be 1-15 characters.");
        }

        if (!IsMac(port.Mac))
        {
            failures.Add($"{what} needs a MAC like 02:00:00:00:00:01, got '{port.Mac}'.");
        }

        if (port.PeerMac is { Length: > 0 } peer && !IsMac(peer))
        {
            failures.Add($"{what} peer MAC is not a MAC address: '{peer}'.");
        }
    }

    private static void CheckAddresses(List<string> failures, string what, IEnumerable<string> values, AddressFamily family)
    {
        foreach (var value in values)
        {
            if (!IPAddress.TryParse(value, out var address) || address.AddressFamily != family)
            {
                failures.Add($"{what}: '{value}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.");
            }
        }
    }

    private static bool IsMac(string? text) =>
        !string.IsNullOrEmpty(text) && text.Length == 17 && PhysicalAddress.TryParse(text, out var mac)
        && mac.GetAddressBytes().Length == 6;
}
