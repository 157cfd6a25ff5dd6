using System.Buffers.Text;
using System.Text;

namespace IronOrleans.Gateway.Validation;

/// <summary>
/// Page tokens are opaque to clients: base64url of a version tag and the cluster's own continuation token, so the
/// Gateway can reject tokens it never issued before calling a grain.
/// </summary>
internal static class PageTokens
{
    private const string Prefix = "p1:";

    /// <summary>Encodes the cluster's continuation token; null or empty (last page) gives an empty token.</summary>
    public static string Encode(string? continuation) =>
        string.IsNullOrEmpty(continuation) ? string.Empty : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + continuation));

    /// <summary>Decodes a token; empty decodes to null (first page).</summary>
    public static bool TryDecode(string? token, out string? continuation)
    {
        continuation = null;
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        if (token.Length > 2048 || !Base64Url.IsValid(token))
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length == Prefix.Length)
        {
            return false;
        }

        continuation = text[Prefix.Length..];
        return true;
    }
}
