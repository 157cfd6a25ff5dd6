using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IronOrleans.Gateway.Hosting;

/// <summary>The Gateway's single Kestrel endpoint: HTTP/2 only without TLS (h2c), as gRPC clients use it with prior knowledge.</summary>
internal static class GatewayEndpoint
{
    /// <summary>Parses <paramref name="url"/> (<c>http://host:port</c>); null when it is not usable, with the reason.</summary>
    public static (IPAddress? Address, bool Localhost, int Port)? TryParse(string? url, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            error = "is required";
            return null;
        }

        // Uri does not accept '*' as a host; treat it as "any address".
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || uri.IsDefaultPort && !normalized.EndsWith(":80", StringComparison.Ordinal))
        {
            error = $"'{url}' must be http://<host>:<port> (h2c; TLS is terminated in front of the Gateway)";
            return null;
        }

        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return (null, true, uri.Port);
        }

        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            error = $"host '{uri.Host}' must be an IP address, localhost or *";
            return null;
        }

        return (address, false, uri.Port);
    }

    /// <summary>Adds the endpoint to Kestrel.</summary>
    public static void Listen(KestrelServerOptions kestrel, string url)
    {
        var parsed = TryParse(url, out var error) ?? throw new InvalidOperationException($"{GatewayHostOptions.SectionName}:Url {error}");
        if (parsed.Localhost)
        {
            kestrel.ListenLocalhost(parsed.Port, o => o.Protocols = HttpProtocols.Http2);
        }
        else
        {
            kestrel.Listen(parsed.Address!, parsed.Port, o => o.Protocols = HttpProtocols.Http2);
        }
    }
}
