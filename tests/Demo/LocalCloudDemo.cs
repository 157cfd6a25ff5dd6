using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using IronOrleans.Gateway.Provider.V1;
using CreateNetworkRequest = IronOrleans.Gateway.Networking.V1.CreateNetworkRequest;
using GetNetworkRequest = IronOrleans.Gateway.Networking.V1.GetNetworkRequest;
using Network = IronOrleans.Gateway.Networking.V1.Network;
using NetworkService = IronOrleans.Gateway.Networking.V1.NetworkService;
using ObjectMetadata = IronOrleans.Gateway.Networking.V1.ObjectMetadata;
using ProviderNic = IronOrleans.Gateway.Provider.V1.NetworkInterface;
using ProviderNicState = IronOrleans.Gateway.Provider.V1.NetworkInterfaceState;

namespace IronOrleans.Demo;

/// <summary>One NIC of the demo as its node reported it.</summary>
public sealed record DemoNic(string Name, string Node, string State, string Device, string Ip, uint Vni, string ProviderId);

/// <summary>
/// The local cloud's demo: checks that the Gateway serves, creates (or finds) a network, ensures one NIC on each node
/// through the provider API and waits, on each node's push watch, until both NICs are READY. Safe to run again.
/// </summary>
public static class LocalCloudDemo
{
    public const string Namespace = "demo";
    public const string NetworkName = "demo-net";

    /// <summary>The simulated hypervisors of the local cloud (aspire/AppHost).</summary>
    public static readonly IReadOnlyList<string> Nodes = ["node-a", "node-b"];

    /// <summary>Runs the demo; <paramref name="log"/> receives one line per step. Throws when a step fails or times out.</summary>
    public static async Task<IReadOnlyList<DemoNic>> RunAsync(GrpcChannel channel, Action<string> log, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(log);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;

        try
        {
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: token);
            log($"gateway   {channel.Target}  {health.Status.ToString().ToUpperInvariant()}");
            if (health.Status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                throw new InvalidOperationException($"The Gateway at {channel.Target} is {health.Status}, not SERVING.");
            }

            var network = await EnsureNetworkAsync(new NetworkService.NetworkServiceClient(channel), token);
            log($"network   {Namespace}/{NetworkName}  vni={network.Status.Vni}  {network.Status.ProviderId}");

            var provider = new ProviderService.ProviderServiceClient(channel);
            var results = await Task.WhenAll(Nodes.Select((node, i) => EnsureReadyAsync(provider, node, i, log, token)));
            foreach (var nic in results)
            {
                log($"nic       {Namespace}/{nic.Name}  node={nic.Node}  {nic.State}  device={nic.Device}  ip={nic.Ip}  vni={nic.Vni}");
            }

            return results;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The demo did not finish within {timeout.TotalSeconds:0} s (is the local cloud up and are node-a and node-b registered?).");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded || e.StatusCode == StatusCode.Cancelled && deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"The demo did not finish within {timeout.TotalSeconds:0} s: {e.Status.Detail}", e);
        }
    }

    private static async Task<Network> EnsureNetworkAsync(NetworkService.NetworkServiceClient networks, CancellationToken token)
    {
        try
        {
            var created = await networks.CreateNetworkAsync(
                new CreateNetworkRequest { Metadata = new ObjectMetadata { Namespace = Namespace, Name = NetworkName } },
                cancellationToken: token);
            return created.Network;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            var existing = await networks.GetNetworkAsync(new GetNetworkRequest { Namespace = Namespace, Name = NetworkName }, cancellationToken: token);
            return existing.Network;
        }
    }

    private static async Task<DemoNic> EnsureReadyAsync(
        ProviderService.ProviderServiceClient provider, string node, int index, Action<string> log, CancellationToken token)
    {
        var name = $"nic-{node}";
        var ip = string.Create(CultureInfo.InvariantCulture, $"10.0.0.{10 + index}");
        var ensured = await provider.EnsureNetworkInterfaceAsync(
            new EnsureNetworkInterfaceRequest { Namespace = Namespace, Name = name, Network = NetworkName, Node = node, Ips = { ip } },
            cancellationToken: token);
        log($"ensure    {Namespace}/{name}  node={node}  ip={ip}  {(ensured.Created ? "created" : "already existed")}  {ensured.NetworkInterface.State.ToDisplay()}");

        // The node's push watch: the snapshot (ADDED ..., SYNCED), then changes as the NodeAgent programs PacketCore.
        using var watch = provider.WatchNetworkInterfaces(new WatchNetworkInterfacesRequest { Node = node }, cancellationToken: token);
        await foreach (var change in watch.ResponseStream.ReadAllAsync(token))
        {
            if (change.NetworkInterface is not { } nic || nic.Namespace != Namespace || nic.Name != name)
            {
                continue;
            }

            switch (nic.State)
            {
                case ProviderNicState.Ready:
                    return ToDemoNic(nic);
                case ProviderNicState.Error:
                    throw new InvalidOperationException($"{node} could not program {name}: {nic.Message}");
                default:
                    continue;
            }
        }

        throw new InvalidOperationException($"The watch of {node} ended before {name} became READY.");
    }

    private static DemoNic ToDemoNic(ProviderNic nic) => new(
        nic.Name, nic.Node, nic.State.ToDisplay(),
        nic.TapDevice is { Length: > 0 } tap ? tap : nic.PciAddress is { } pci ? $"{pci.Domain}:{pci.Bus}:{pci.Slot}.{pci.Function}" : "",
        string.Join(',', nic.Ips), nic.Vni, nic.ProviderId);

    private static string ToDisplay(this ProviderNicState state) => state switch
    {
        ProviderNicState.Pending => "PENDING",
        ProviderNicState.Ready => "READY",
        ProviderNicState.Error => "ERROR",
        _ => "UNSPECIFIED",
    };
}
