using Google.Protobuf.Collections;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;

namespace IronOrleans.Gateway.Validation;

/// <summary>
/// Edge checks shared by the services: every request is validated before any grain is called, so bad input is
/// rejected with <c>InvalidArgument</c> naming the field and changes nothing. Field rules come from
/// <see cref="Validate"/> (shared with the grains).
/// </summary>
internal static class RequestValidation
{
    private const string DnsLabelRule = "must be a DNS label (1-63 lowercase alphanumerics or '-')";

    /// <summary>Checks a namespace/name pair and returns it.</summary>
    public static ResourceName Name(string ns, string name, FieldErrors errors, string namespaceField = "namespace", string nameField = "name")
    {
        var resource = new ResourceName(ns ?? string.Empty, name ?? string.Empty);
        Validate.Name(resource, errors, namespaceField, nameField);
        return resource;
    }

    /// <summary>Checks a namespace on its own (List calls).</summary>
    public static void Namespace(string ns, FieldErrors errors, string field = "namespace")
    {
        if (!Validate.IsDnsLabel(ns))
        {
            errors.Add(field, DnsLabelRule);
        }
    }

    /// <summary>Checks a node name (a DNS subdomain such as <c>partition.node</c>).</summary>
    public static void Node(string node, FieldErrors errors, string field = "node")
    {
        if (!Validate.IsDnsSubdomain(node))
        {
            errors.Add(field, "must name a node (a DNS subdomain)");
        }
    }

    /// <summary>An optional uid precondition: empty means none.</summary>
    public static Guid? OptionalUid(string text, FieldErrors errors, string field = "uid")
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Guid.TryParse(text, out var uid))
        {
            return uid;
        }

        errors.Add(field, "must be empty or a uid (GUID)");
        return null;
    }

    /// <summary>Copies and checks labels.</summary>
    public static IReadOnlyDictionary<string, string> Labels(MapField<string, string> labels, FieldErrors errors, string field)
    {
        if (labels.Count == 0)
        {
            return EmptyLabels.Instance;
        }

        var copy = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        Validate.Labels(copy, field, errors);
        return copy;
    }

    /// <summary>Copies attributes (free-form provider data; only sizes are bounded).</summary>
    public static IReadOnlyDictionary<string, string> Attributes(MapField<string, string> attributes, FieldErrors errors, string field)
    {
        if (attributes.Count == 0)
        {
            return EmptyLabels.Instance;
        }

        foreach (var (key, value) in attributes)
        {
            if (key.Length is 0 or > 253 || value.Length > 4096)
            {
                errors.Add($"{field}[{key}]", "attribute keys must be 1-253 characters and values at most 4096");
            }
        }

        return new Dictionary<string, string>(attributes, StringComparer.Ordinal);
    }

    /// <summary>Resolves a page size: 0 means the default, larger than the maximum is reduced to it, negative is an error.</summary>
    public static int PageSize(int requested, GatewayHostOptions options, FieldErrors errors, string field = "page_size")
    {
        if (requested < 0)
        {
            errors.Add(field, "must not be negative");
            return options.DefaultPageSize;
        }

        return requested == 0 ? options.DefaultPageSize : Math.Min(requested, options.MaxPageSize);
    }

    /// <summary>Decodes a page token (empty: first page).</summary>
    public static string? PageToken(string token, FieldErrors errors, string field = "page_token")
    {
        if (PageTokens.TryDecode(token, out var decoded))
        {
            return decoded;
        }

        errors.Add(field, "is not a page token returned by this API");
        return null;
    }

    /// <summary>Checks IPs and canonicalizes them (lower-case, compressed IPv6), so equal specs compare equal.</summary>
    public static IReadOnlyList<string> CanonicalIps(IEnumerable<string> ips) =>
        ips.Select(ip => Validate.TryParseIp(ip, out var address, out _) ? address.ToString() : ip).ToArray();

    /// <summary>Canonicalizes CIDR prefixes that parse; others are returned unchanged for the validator to report.</summary>
    public static IReadOnlyList<string> CanonicalPrefixes(IEnumerable<string> prefixes) =>
        prefixes.Select(p => Validate.TryParsePrefix(p, out var network) ? network.ToString() : p).ToArray();
}
