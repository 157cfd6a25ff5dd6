using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Grpc.Mapping;

/// <summary>
/// dpservice's wire conventions (reference/dpservice.md §1.2): addresses and IDs travel as TEXT inside
/// <c>bytes</c> fields and are parsed the way <c>inet_pton</c> parses them; IDs are ASCII, 1..63 bytes.
/// </summary>
public static class WireText
{
    /// <summary>dpservice stores IDs in a 64-byte C buffer including the NUL.</summary>
    public const int MaxIdLength = 63;

    /// <summary>An ID that is non-empty and at most 63 bytes (any bytes, as dpservice's snprintf check).</summary>
    public static bool TryReadId(ByteString value, out string id)
    {
        id = string.Empty;
        if (value.IsEmpty || value.Length > MaxIdLength)
        {
            return false;
        }

        var span = value.Span;
        if (span.IndexOf((byte)0) >= 0)
        {
            return false;
        }

        id = Encoding.ASCII.GetString(span);
        return true;
    }

    /// <summary>An interface ID acceptable on create: 1..63 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool TryReadNewInterfaceId(ByteString value, out string id)
    {
        if (!TryReadId(value, out id))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                id = string.Empty;
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses dotted-quad IPv4 text strictly (4 decimal parts, no leading zeros, as inet_pton).</summary>
    public static bool TryParseIpv4(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Length > 15)
        {
            return false;
        }

        Span<byte> octets = stackalloc byte[4];
        var part = 0;
        var value = -1;
        var digits = 0;
        foreach (var b in text)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                if (digits > 0 && value == 0)
                {
                    return false; // leading zero
                }

                value = (value < 0 ? 0 : value * 10) + (b - '0');
                digits++;
                if (value > 255)
                {
                    return false;
                }
            }
            else if (b == (byte)'.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                octets[part++] = (byte)value;
                value = -1;
                digits = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || part != 3)
        {
            return false;
        }

        octets[3] = (byte)value;
        address = new IPAddress(octets);
        return true;
    }

    /// <summary>Parses IPv6 text (RFC 4291 forms, no zone, no brackets).</summary>
    public static bool TryParseIpv6(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (text.IsEmpty || text.Length > 45 || text.IndexOfAny((byte)'%', (byte)'[', (byte)']') >= 0
            || text.IndexOf((byte)':') < 0)
        {
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (b > 0x7f || char.IsWhiteSpace((char)b))
            {
                return false;
            }

            chars[i] = (char)b;
        }

        if (!IPAddress.TryParse(chars, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Parses an <see cref="IpAddress"/> message: the text according to <c>ipver</c>.</summary>
    public static bool TryParse(IpAddress? value, out IPAddress address)
    {
        address = IPAddress.None;
        if (value is null)
        {
            return false;
        }

        return value.Ipver switch
        {
            IpVersion.Ipv4 => TryParseIpv4(value.Address.Span, out address),
            IpVersion.Ipv6 => TryParseIpv6(value.Address.Span, out address),
            _ => false,
        };
    }

    /// <summary>Text for a <c>bytes</c> field: the canonical textual form of <paramref name="address"/>.</summary>
    public static ByteString ToBytes(IPAddress address) => ByteString.CopyFromUtf8(address.ToString());

    /// <summary>Text for a <c>bytes</c> field from a string.</summary>
    public static ByteString ToBytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>An <see cref="IpAddress"/> message for <paramref name="address"/>.</summary>
    public static IpAddress ToIpAddress(IPAddress address) => new()
    {
        Ipver = address.AddressFamily == AddressFamily.InterNetworkV6 ? IpVersion.Ipv6 : IpVersion.Ipv4,
        Address = ToBytes(address),
    };

    /// <summary>Formats a number for logs and messages.</summary>
    internal static string Invariant(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
