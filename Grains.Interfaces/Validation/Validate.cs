using System.Net;
using System.Net.Sockets;
using IronOrleans.Grains.Model;

namespace IronOrleans.Grains.Validation;

/// <summary>Field rules shared by the Gateway edge and the grains (IronCore's validation rules).</summary>
public static class Validate
{
    /// <summary>Kubernetes-style DNS label: 1–63 chars, [a-z0-9-], alphanumeric at both ends.</summary>
    public static bool IsDnsLabel(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 63)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var alnum = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (!alnum && (c != '-' || i == 0 || i == value.Length - 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>DNS subdomain: dot-separated DNS labels, at most 253 chars.</summary>
    public static bool IsDnsSubdomain(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 253)
        {
            return false;
        }

        foreach (var part in value.Split('.'))
        {
            if (!IsDnsLabel(part))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses an IP address written in its canonical form; returns the family.</summary>
    public static bool TryParseIp(string? text, out IPAddress address, out IpFamily family)
    {
        address = IPAddress.None;
        family = default;
        if (string.IsNullOrEmpty(text) || text.Contains('%', StringComparison.Ordinal)
            || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.IsIPv4MappedToIPv6)
        {
            return false;
        }

        family = parsed.AddressFamily == AddressFamily.InterNetwork ? IpFamily.IPv4 : IpFamily.IPv6;
        if (family == IpFamily.IPv4 && text.Split('.').Length != 4)
        {
            return false; // reject shorthand such as "10.1"
        }

        address = parsed;
        return true;
    }

    /// <summary>Parses a CIDR prefix whose host bits are zero.</summary>
    public static bool TryParsePrefix(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrEmpty(text) || !text.Contains('/', StringComparison.Ordinal)
            || !IPNetwork.TryParse(text, out var parsed))
        {
            return false;
        }

        // IPNetwork.TryParse masks host bits away; IronCore refuses such prefixes, and so do we.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!TryParseIp(text[..slash], out var address, out _) || !address.Equals(parsed.BaseAddress))
        {
            return false;
        }

        network = parsed;
        return true;
    }

    /// <summary>Checks label keys and values (Kubernetes rules, simplified: key ≤ 63 chars after an optional DNS prefix).</summary>
    public static void Labels(IReadOnlyDictionary<string, string>? labels, string field, FieldErrors errors)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var name = slash >= 0 ? key[(slash + 1)..] : key;
            if ((slash >= 0 && !IsDnsSubdomain(key[..slash])) || !IsLabelValue(name) || name.Length == 0)
            {
                errors.Add($"{field}[{key}]", "label key must be an optional DNS prefix and a name of 1-63 alphanumerics, '-', '_' or '.'");
            }
            else if (!IsLabelValue(value))
            {
                errors.Add($"{field}[{key}]", "label value must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric");
            }
        }
    }

    private static bool IsLabelValue(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        if (value.Length > 63 || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks a resource name (namespace and object name are both DNS labels).</summary>
    public static void Name(ResourceName name, FieldErrors errors, string namespaceField = "namespace", string nameField = "name")
    {
        if (!IsDnsLabel(name.Namespace))
        {
            errors.Add(namespaceField, "must be a DNS label (1-63 lowercase alphanumerics or '-')");
        }

        if (!IsDnsLabel(name.Name))
        {
            errors.Add(nameField, "must be a DNS label (1-63 lowercase alphanumerics or '-')");
        }
    }

    /// <summary>Checks a NIC spec; <paramref name="prefix"/> is prepended to field paths.</summary>
    public static void NetworkInterfaceSpec(NetworkInterfaceSpec spec, FieldErrors errors, string prefix = "spec.")
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(errors);
        if (!IsDnsLabel(spec.Network))
        {
            errors.Add(prefix + "network", "must name a network (a DNS label)");
        }

        if (!IsDnsSubdomain(spec.Node))
        {
            errors.Add(prefix + "node", "must name a node (a DNS subdomain)");
        }

        if (spec.Ips.Count == 0)
        {
            errors.Add(prefix + "ips", "at least one internal IP is required");
        }

        var families = new HashSet<IpFamily>();
        for (var i = 0; i < spec.Ips.Count; i++)
        {
            if (!TryParseIp(spec.Ips[i], out _, out var family))
            {
                errors.Add($"{prefix}ips[{i}]", $"'{spec.Ips[i]}' is not an IP address");
            }
            else if (!families.Add(family))
            {
                errors.Add($"{prefix}ips[{i}]", $"at most one {family} address per interface");
            }
        }

        for (var i = 0; i < spec.Prefixes.Count; i++)
        {
            if (!TryParsePrefix(spec.Prefixes[i], out _))
            {
                errors.Add($"{prefix}prefixes[{i}]", $"'{spec.Prefixes[i]}' is not a CIDR prefix with zero host bits");
            }
        }

        if (spec.VirtualIp is not null && !IsDnsLabel(spec.VirtualIp))
        {
            errors.Add(prefix + "virtual_ip", "must name a VirtualIP (a DNS label)");
        }

        if (spec.Hostname is not null && !IsDnsLabel(spec.Hostname))
        {
            errors.Add(prefix + "hostname", "must be a DNS label");
        }

        Labels(spec.Labels, prefix + "labels", errors);
    }

    /// <summary>The canonical text of an IP (lower-case, compressed IPv6).</summary>
    public static string Canonical(string ip) => TryParseIp(ip, out var a, out _) ? a.ToString() : ip;
}
