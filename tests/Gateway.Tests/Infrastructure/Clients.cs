using IronOrleans.Gateway.Networking.V1;
using ProviderClient = IronOrleans.Gateway.Provider.V1.ProviderService.ProviderServiceClient;

namespace IronOrleans.Gateway.Tests.Infrastructure;

/// <summary>Generated clients over the fixture's channel, plus small arrange helpers.</summary>
public sealed class Clients(GatewayFixture fixture)
{
    public NetworkService.NetworkServiceClient Networks { get; } = new(fixture.Channel);

    public VirtualIpService.VirtualIpServiceClient VirtualIps { get; } = new(fixture.Channel);

    public NetworkInterfaceService.NetworkInterfaceServiceClient Interfaces { get; } = new(fixture.Channel);

    public ProviderClient Provider { get; } = new(fixture.Channel);

    public async Task<Network> CreateNetworkAsync(string ns, string name, uint? vni = null)
    {
        var spec = new NetworkSpec();
        if (vni is { } v)
        {
            spec.Vni = v;
        }

        var response = await Networks.CreateNetworkAsync(
            new CreateNetworkRequest { Metadata = new ObjectMetadata { Namespace = ns, Name = name }, Spec = spec }, Names.Call());
        return response.Network;
    }

    public async Task<VirtualIp> CreateVirtualIpAsync(string ns, string name, IpFamily family = IpFamily.Ipv4)
    {
        var response = await VirtualIps.CreateVirtualIpAsync(
            new CreateVirtualIpRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = name },
                Spec = new VirtualIpSpec { IpFamily = family },
            },
            Names.Call());
        return response.VirtualIp;
    }
}
