using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace IronOrleans.Grains.Model;

/// <summary>A virtual network identifier (24 bits, as in VXLAN and dpservice).</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.vni")]
public readonly record struct Vni([property: Id(0)] uint Value) : ISpanFormattable
{
    /// <summary>The largest VNI (2^24 − 1).</summary>
    public const uint MaxValue = 16_777_215;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(format, formatProvider);

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        => Value.TryFormat(destination, out charsWritten, format, provider);
}

/// <summary>IP address family of an address, a pool or a NIC address.</summary>
public enum IpFamily
{
    /// <summary>IPv4.</summary>
    IPv4 = 1,

    /// <summary>IPv6.</summary>
    IPv6 = 2,
}

/// <summary>A namespaced object name: the key of every resource grain (<c>namespace/name</c>).</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.resource-name")]
public readonly record struct ResourceName([property: Id(0)] string Namespace, [property: Id(1)] string Name)
{
    /// <summary>The grain key: <c>namespace/name</c>.</summary>
    public string Key => Namespace + "/" + Name;

    /// <inheritdoc />
    public override string ToString() => Key;

    /// <summary>Parses a grain key made by <see cref="Key"/>.</summary>
    public static ResourceName Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryParse(key, out var name) ? name : throw new FormatException($"'{key}' is not a namespace/name key.");
    }

    /// <summary>Tries to parse a grain key made by <see cref="Key"/>.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out ResourceName name)
    {
        name = default;
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1 || key.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        name = new ResourceName(key[..slash], key[(slash + 1)..]);
        return true;
    }
}

/// <summary>IronCore provider ID formats, kept so existing tooling can parse them.</summary>
public static class ProviderIds
{
    private const string Scheme = "ironcore-net://";

    /// <summary><c>ironcore-net://&lt;ns&gt;/&lt;name&gt;/&lt;vni&gt;/&lt;uid&gt;</c>.</summary>
    public static string ForNetwork(ResourceName name, Vni vni, Guid uid)
        => string.Create(CultureInfo.InvariantCulture, $"{Scheme}{name.Namespace}/{name.Name}/{vni.Value}/{uid}");

    /// <summary><c>ironcore-net://&lt;ns&gt;/&lt;name&gt;/&lt;node&gt;/&lt;uid&gt;</c>.</summary>
    public static string ForNetworkInterface(ResourceName name, string node, Guid uid)
        => $"{Scheme}{name.Namespace}/{name.Name}/{node}/{uid}";

    /// <summary>Parses a network provider ID into its parts.</summary>
    public static bool TryParseNetwork(string? providerId, out ResourceName name, out Vni vni, out Guid uid)
    {
        name = default;
        vni = default;
        uid = default;
        if (providerId is null || !providerId.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = providerId[Scheme.Length..].Split('/');
        if (parts.Length != 4 || parts[0].Length == 0 || parts[1].Length == 0
            || !uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            || !Guid.TryParse(parts[3], out uid))
        {
            return false;
        }

        name = new ResourceName(parts[0], parts[1]);
        vni = new Vni(v);
        return true;
    }
}
