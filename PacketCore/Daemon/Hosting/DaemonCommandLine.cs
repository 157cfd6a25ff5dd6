using System.Globalization;

namespace IronOrleans.PacketCore.Daemon.Hosting;

/// <summary>
/// Translates dpservice-style switches into configuration keys (<c>--ipv6</c>, <c>--pf0</c>, <c>--vf</c>,
/// <c>--dhcp-mtu</c>, <c>--dhcp-dns</c>, …). Both <c>--switch value</c> and <c>--switch=value</c> work; repeatable
/// switches become indexed keys. Anything else stays with the normal command-line provider
/// (<c>--Section:Key=value</c>).
/// </summary>
internal static class DaemonCommandLine
{
    /// <summary>Usage text printed with option errors.</summary>
    public const string Usage =
        "Usage: IronOrleans.PacketCore.Daemon --ipv6 <host underlay IPv6> --pf0 <tap>,<mac>[,<router mac>] " +
        "[--vf <tap>,<mac>[,<vm mac>]]... [--grpc-port 1337] [--grpc-address 127.0.0.1] [--port-backend tap|inmemory] " +
        "[--router-address <ipv6>] [--dhcp-mtu 1500] [--dhcp-dns <ipv4>]... [--dhcpv6-dns <ipv6>]... [--no-ipxe] " +
        "[--flow-timeout <seconds>] [--tcp-established-timeout <seconds>]";

    private static readonly Dictionary<string, string> Scalars = new(StringComparer.Ordinal)
    {
        ["--grpc-port"] = "Daemon:GrpcPort",
        ["--grpc-address"] = "Daemon:GrpcAddress",
        ["--ipv6"] = "PacketCore:HostUnderlayAddress",
        ["--port-backend"] = "PacketCore:Backend",
        ["--router-address"] = "PacketCore:RouterAddress",
        ["--dhcp-mtu"] = "PacketCore:DhcpMtu",
    };

    private static readonly Dictionary<string, string> Seconds = new(StringComparer.Ordinal)
    {
        ["--flow-timeout"] = "PacketCore:FlowTimeout",
        ["--tcp-established-timeout"] = "PacketCore:TcpEstablishedTimeout",
    };

    private static readonly Dictionary<string, string> Lists = new(StringComparer.Ordinal)
    {
        ["--dhcp-dns"] = "PacketCore:DhcpDns",
        ["--dhcpv6-dns"] = "PacketCore:Dhcpv6Dns",
    };

    public static Dictionary<string, string?> Parse(IReadOnlyList<string> args)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            if (name == "--no-ipxe")
            {
                result["PacketCore:IpxeMode"] = "false";
            }
            else if (Scalars.TryGetValue(name, out var key))
            {
                result[key] = inline ?? NextValue(args, ref i, name);
            }
            else if (Seconds.TryGetValue(name, out key))
            {
                var text = inline ?? NextValue(args, ref i, name);
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                {
                    throw new ArgumentException($"{name} needs a positive number of seconds, got '{text}'.");
                }

                result[key] = TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
            }
            else if (Lists.TryGetValue(name, out key))
            {
                var index = Next(counters, name);
                result[$"{key}:{Index(index)}"] = inline ?? NextValue(args, ref i, name);
            }
            else if (name is "--pf0" or "--uplink")
            {
                SetPort(result, "PacketCore:Uplink", name, inline ?? NextValue(args, ref i, name));
            }
            else if (name == "--vf")
            {
                var index = Next(counters, name);
                SetPort(result, $"PacketCore:VmPorts:{Index(index)}", name, inline ?? NextValue(args, ref i, name));
            }
        }

        return result;
    }

    // "<tap>,<mac>[,<peer mac>]": the TAP name doubles as the device name (CreateInterface.device_name); the peer MAC
    // is the VM's NIC (VM port) or the underlay router (uplink).
    private static void SetPort(Dictionary<string, string?> result, string prefix, string name, string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"{name} expects '<tap name>,<mac>[,<peer mac>]', got '{value}'.");
        }

        if (parts.Length == 3)
        {
            result[prefix + ":PeerMac"] = parts[2];
        }

        result[prefix + ":Name"] = parts[0];
        result[prefix + ":TapName"] = parts[0];
        result[prefix + ":Mac"] = parts[1];
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && arg.StartsWith("--", StringComparison.Ordinal) ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static int Next(Dictionary<string, int> counters, string name)
    {
        counters.TryGetValue(name, out var index);
        counters[name] = index + 1;
        return index;
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count)
        {
            throw new ArgumentException($"Command-line switch {name} needs a value.");
        }

        return args[++i];
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
