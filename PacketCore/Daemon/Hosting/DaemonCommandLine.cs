using System.Globalization;

namespace IronOrleans.PacketCore.Daemon.Hosting;

/// <summary>
/// Translates dpservice-style switches into configuration keys. Repeatable switches become indexed keys.
/// Anything else stays with the normal command-line provider (<c>--Section:Key=value</c>).
/// </summary>
internal static class DaemonCommandLine
{
    private static readonly Dictionary<string, string> Scalars = new(StringComparer.Ordinal)
    {
        ["--grpc-port"] = "Daemon:GrpcPort",
        ["--grpc-address"] = "Daemon:GrpcAddress",
    };

    public static Dictionary<string, string?> Parse(IReadOnlyList<string> args)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg;
                value = null;
            }

            if (Scalars.TryGetValue(name, out var key))
            {
                value ??= NextValue(args, ref i, name);
                result[key] = value;
            }
            else if (Repeatables.TryGetValue(name, out var apply))
            {
                value ??= NextValue(args, ref i, name);
                counters.TryGetValue(name, out var index);
                counters[name] = index + 1;
                apply(result, index, value);
            }
        }

        return result;
    }

    private static readonly Dictionary<string, Action<Dictionary<string, string?>, int, string>> Repeatables =
        new(StringComparer.Ordinal);

    private static string NextValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count)
        {
            throw new ArgumentException($"Command-line switch {name} needs a value.");
        }

        return args[++i];
    }

    internal static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
