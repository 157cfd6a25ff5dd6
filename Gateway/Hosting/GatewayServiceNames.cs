namespace IronOrleans.Gateway.Hosting;

/// <summary>Fully qualified names of the Gateway's gRPC services (health service names, reflection).</summary>
internal static class GatewayServiceNames
{
    public static readonly string[] All =
    [
        Networking.V1.NetworkService.Descriptor.FullName,
        Networking.V1.VirtualIpService.Descriptor.FullName,
        Networking.V1.NetworkInterfaceService.Descriptor.FullName,
        Provider.V1.ProviderService.Descriptor.FullName,
    ];
}
