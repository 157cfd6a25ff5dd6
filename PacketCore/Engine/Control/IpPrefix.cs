using System.Net;
using System.Net.Sockets;

namespace IronOrleans.PacketCore.Control;

/// <summary>
/// An IPv4 or IPv6 prefix. Unlike <see cref="IPNetwork"/> it does not throw on host bits: dpservice accepts them and
/// masks; use <see cref="Normalize"/> for the masked form. <see cref="IsValid"/> checks family and length.
/// </summary>
public readonly record struct IpPrefix(IPAddress Address, int Length)
{
    public bool IsIpv4 => Address.AddressFamily == AddressFamily.InterNetwork;

    public bool IsValid => Address is not null && Length >= 0 &&
        ((Address.AddressFamily == AddressFamily.InterNetwork && Length <= 32) ||
         (Address.AddressFamily == AddressFamily.InterNetworkV6 && Length <= 128));

    /// <summary>The same prefix with the host bits cleared.</summary>
    public IpPrefix Normalize()
    {
        if (IsIpv4)
        {
            return new IpPrefix(AddressConversions.ToIPAddress(AddressConversions.Mask4(AddressConversions.ToUInt32(Address), Length)), Length);
        }

        return new IpPrefix(AddressConversions.ToIPAddressV6(AddressConversions.Mask6(AddressConversions.ToUInt128(Address), Length)), Length);
    }

    public static IpPrefix Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new IpPrefix(IPAddress.Parse(text), IPAddress.Parse(text).AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : new IpPrefix(IPAddress.Parse(text.AsSpan(0, slash)), int.Parse(text.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    public override string ToString() => $"{Address}/{Length}";
}
