using Grpc.Core;
using IronOrleans.Gateway.Errors;
using IronOrleans.Gateway.Mapping;
using IronOrleans.Gateway.Provider.V1;
using IronOrleans.Gateway.Validation;
using IronOrleans.Gateway.Watch;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;
using ProviderServiceBase = IronOrleans.Gateway.Provider.V1.ProviderService.ProviderServiceBase;

namespace IronOrleans.Gateway.Services;

/// <summary>
/// <c>ironorleans.provider.v1.ProviderService</c>: the NIC plugin API of libvirt-provider (ensure by deterministic name,
/// get, list per node, push watch per node, idempotent delete).
/// </summary>
internal sealed class ProviderService(IClusterClient client, NodeWatcher watcher, IHostApplicationLifetime lifetime) : ProviderServiceBase
{
    private const string NetworkProviderIdScheme = "ironcore-net://";

    public override async Task<EnsureNetworkInterfaceResponse> EnsureNetworkInterface(EnsureNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var ns = request.Namespace;
        var networkName = request.Network;
        (Vni Vni, Guid Uid)? expectedNetwork = null;
        if (request.Network.StartsWith(NetworkProviderIdScheme, StringComparison.Ordinal))
        {
            if (!ProviderIds.TryParseNetwork(request.Network, out var parsed, out var vni, out var networkUid))
            {
                errors.Add("network", "is not a network provider ID (ironcore-net://<namespace>/<name>/<vni>/<uid>)");
            }
            else
            {
                if (ns.Length == 0)
                {
                    ns = parsed.Namespace;
                }
                else if (ns != parsed.Namespace)
                {
                    errors.Add("namespace", $"must match the network's namespace '{parsed.Namespace}'");
                }

                networkName = parsed.Name;
                expectedNetwork = (vni, networkUid);
            }
        }

        var name = RequestValidation.Name(ns, request.Name, errors);
        var spec = new NetworkInterfaceSpec
        {
            Network = networkName,
            Node = request.Node,
            Ips = RequestValidation.CanonicalIps(request.Ips),
            Hostname = request.Hostname.Length == 0 ? null : request.Hostname,
            Labels = RequestValidation.Labels(request.Labels, errors, "labels"),
            Attributes = RequestValidation.Attributes(request.Attributes, errors, "attributes"),
        };
        Validate.NetworkInterfaceSpec(spec with { Labels = EmptyLabels.Instance }, errors, prefix: string.Empty);
        GatewayErrors.ThrowIfInvalid(errors);

        if (expectedNetwork is { } expected)
        {
            // The provider ID pins one incarnation of the network; refuse if the name now means another one.
            var network = await client.GetGrain<INetworkGrain>(new ResourceName(ns, networkName).Key).GetAsync();
            if (network.Uid != expected.Uid || network.Vni != expected.Vni)
            {
                throw GatewayErrors.Create(StatusCode.FailedPrecondition, ErrorReasons.NetworkProviderIdMismatch,
                    $"network provider ID names vni {expected.Vni} uid {expected.Uid}, but network '{ns}/{networkName}' now has "
                    + $"vni {network.Vni} uid {network.Uid}");
            }
        }

        var result = await client.GetGrain<IControlPlaneGrain>(0).EnsureNetworkInterfaceAsync(name, spec);
        return new EnsureNetworkInterfaceResponse
        {
            NetworkInterface = ProviderMapping.MapToProto(result.Interface),
            Created = result.Created,
        };
    }

    public override async Task<GetNetworkInterfaceResponse> GetNetworkInterface(GetNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var nic = await client.GetGrain<INetworkInterfaceGrain>(name.Key).GetAsync();
        return new GetNetworkInterfaceResponse { NetworkInterface = ProviderMapping.MapToProto(nic) };
    }

    public override async Task<ListNetworkInterfacesResponse> ListNetworkInterfaces(ListNetworkInterfacesRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        RequestValidation.Node(request.Node, errors);
        var selector = LabelSelector.Parse(request.LabelSelector, errors);
        GatewayErrors.ThrowIfInvalid(errors);

        var snapshot = await client.GetGrain<INodeGrain>(request.Node).GetSnapshotAsync();
        var response = new ListNetworkInterfacesResponse { NodeVersion = snapshot.Version };
        response.NetworkInterfaces.AddRange(snapshot.Interfaces
            .Where(n => selector!.Matches(n.Spec.Labels))
            .OrderBy(n => n.Name.Key, StringComparer.Ordinal)
            .Select(ProviderMapping.MapToProto));
        return response;
    }

    public override async Task WatchNetworkInterfaces(
        WatchNetworkInterfacesRequest request, IServerStreamWriter<WatchNetworkInterfacesResponse> responseStream, ServerCallContext context)
    {
        var errors = new FieldErrors();
        RequestValidation.Node(request.Node, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        await WatchStreaming.RunAsync(
            watcher.WatchAsync(request.Node, static _ => true, WatchStreaming.Token(context, lifetime, out var linked)),
            item => new WatchNetworkInterfacesResponse
            {
                Type = ProviderMapping.MapToProto(item.Change),
                NetworkInterface = item.Interface is null ? null : ProviderMapping.MapToProto(item.Interface),
                NodeVersion = item.NodeVersion,
            },
            responseStream,
            context,
            lifetime,
            linked);
    }

    public override async Task<DeleteNetworkInterfaceResponse> DeleteNetworkInterface(DeleteNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        var uid = RequestValidation.OptionalUid(request.Uid, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var deleted = await client.GetGrain<IControlPlaneGrain>(0).DeleteNetworkInterfaceAsync(name, uid);
        return new DeleteNetworkInterfaceResponse
        {
            Deleted = deleted is not null,
            NetworkInterface = deleted is null ? null : ProviderMapping.MapToProto(deleted),
        };
    }
}
