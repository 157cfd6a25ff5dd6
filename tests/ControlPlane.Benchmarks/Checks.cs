using IronOrleans.Gateway.Networking.V1;

namespace IronOrleans.ControlPlane.Benchmarks;

/// <summary>End-of-run invariants, read back through the Gateway's List calls.</summary>
internal static class Checks
{
    private const int MaxPages = 10_000;

    public static async Task<string> VirtualIpsAsync(VirtualIpService.VirtualIpServiceClient client, string ns, int expected)
    {
        var all = new List<VirtualIp>();
        var token = string.Empty;
        for (var page = 0; page < MaxPages; page++)
        {
            var response = await client.ListVirtualIpsAsync(new ListVirtualIpsRequest { Namespace = ns, PageSize = 1000, PageToken = token });
            all.AddRange(response.VirtualIps);
            token = response.NextPageToken;
            if (token.Length == 0)
            {
                break;
            }
        }

        var addresses = all.Select(v => v.Status.Ip).Distinct(StringComparer.Ordinal).Count();
        var uids = all.Select(v => v.Metadata.Uid).Distinct(StringComparer.Ordinal).Count();
        var ok = all.Count == expected && addresses == all.Count && uids == all.Count;
        return $"{(ok ? "OK" : "FAIL")} VirtualIPs: {all.Count} listed (expected {expected}), {addresses} distinct addresses, {uids} distinct uids";
    }

    public static async Task<string> NetworkInterfacesAsync(NetworkInterfaceService.NetworkInterfaceServiceClient client, string ns, int expected)
    {
        var all = new List<NetworkInterface>();
        var token = string.Empty;
        for (var page = 0; page < MaxPages; page++)
        {
            var response = await client.ListNetworkInterfacesAsync(new ListNetworkInterfacesRequest { Namespace = ns, PageSize = 1000, PageToken = token });
            all.AddRange(response.NetworkInterfaces);
            token = response.NextPageToken;
            if (token.Length == 0)
            {
                break;
            }
        }

        var ipsPerNetwork = all.GroupBy(n => n.Spec.Network).Select(g => (Total: g.Sum(n => n.Spec.Ips.Count), Distinct: g.SelectMany(n => n.Spec.Ips).Distinct().Count())).ToList();
        var duplicateIps = ipsPerNetwork.Sum(g => g.Total - g.Distinct);
        var uids = all.Select(n => n.Metadata.Uid).Distinct(StringComparer.Ordinal).Count();
        var ok = all.Count == expected && duplicateIps == 0 && uids == all.Count;
        return $"{(ok ? "OK" : "FAIL")} NetworkInterfaces: {all.Count} listed (expected {expected}), {duplicateIps} duplicate internal IPs within a network, {uids} distinct uids";
    }
}
