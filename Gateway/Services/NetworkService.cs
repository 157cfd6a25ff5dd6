using Grpc.Core;
using IronOrleans.Gateway.Errors;
using IronOrleans.Gateway.Mapping;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Validation;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;
using Microsoft.Extensions.Options;
using NetworkServiceBase = IronOrleans.Gateway.Networking.V1.NetworkService.NetworkServiceBase;

namespace IronOrleans.Gateway.Services;

/// <summary><c>ironorleans.networking.v1.NetworkService</c>: networks and their VNIs.</summary>
internal sealed class NetworkService(IClusterClient client, IOptions<GatewayHostOptions> options) : NetworkServiceBase
{
    public override async Task<CreateNetworkResponse> CreateNetwork(CreateNetworkRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var metadata = request.Metadata ?? new ObjectMetadata();
        var name = RequestValidation.Name(metadata.Namespace, metadata.Name, errors, "metadata.namespace", "metadata.name");
        var labels = RequestValidation.Labels(metadata.Labels, errors, "metadata.labels");
        uint? vni = request.Spec is { HasVni: true } spec ? spec.Vni : null;
        if (vni is 0 or > Vni.MaxValue)
        {
            errors.Add("spec.vni", $"must be between 1 and {Vni.MaxValue}");
        }

        GatewayErrors.ThrowIfInvalid(errors);
        var created = await ControlPlane.CreateNetworkAsync(name, new NetworkCreateRequest { RequestedVni = vni, Labels = labels });
        return new CreateNetworkResponse { Network = NetworkingMapping.MapToProto(created) };
    }

    public override async Task<GetNetworkResponse> GetNetwork(GetNetworkRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var network = await client.GetGrain<INetworkGrain>(name.Key).GetAsync();
        return new GetNetworkResponse { Network = NetworkingMapping.MapToProto(network) };
    }

    public override async Task<ListNetworksResponse> ListNetworks(ListNetworksRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        RequestValidation.Namespace(request.Namespace, errors);
        var pageSize = RequestValidation.PageSize(request.PageSize, options.Value, errors);
        var token = RequestValidation.PageToken(request.PageToken, errors);
        GatewayErrors.ThrowIfInvalid(errors);

        var page = await ControlPlane.ListNamesAsync(ResourceKind.Network, request.Namespace, token, pageSize);
        var networks = await Listing.ReadAllAsync(page.Items, n => client.GetGrain<INetworkGrain>(new ResourceName(request.Namespace, n).Key).GetAsync());
        var response = new ListNetworksResponse { NextPageToken = PageTokens.Encode(page.NextPageToken) };
        response.Networks.AddRange(networks.Select(NetworkingMapping.MapToProto));
        return response;
    }

    public override async Task<DeleteNetworkResponse> DeleteNetwork(DeleteNetworkRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        var uid = RequestValidation.OptionalUid(request.Uid, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var deleted = await ControlPlane.DeleteNetworkAsync(name, uid);
        return new DeleteNetworkResponse { Network = NetworkingMapping.MapToProto(deleted) };
    }

    private IControlPlaneGrain ControlPlane => client.GetGrain<IControlPlaneGrain>(0);
}
