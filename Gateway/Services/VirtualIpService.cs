using Grpc.Core;
using IronOrleans.Gateway.Errors;
using IronOrleans.Gateway.Mapping;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Validation;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;
using Microsoft.Extensions.Options;
using VirtualIpServiceBase = IronOrleans.Gateway.Networking.V1.VirtualIpService.VirtualIpServiceBase;

namespace IronOrleans.Gateway.Services;

/// <summary><c>ironorleans.networking.v1.VirtualIpService</c>: public addresses allocated on create.</summary>
internal sealed class VirtualIpService(IClusterClient client, IOptions<GatewayHostOptions> options) : VirtualIpServiceBase
{
    public override async Task<CreateVirtualIpResponse> CreateVirtualIp(CreateVirtualIpRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var metadata = request.Metadata ?? new ObjectMetadata();
        var name = RequestValidation.Name(metadata.Namespace, metadata.Name, errors, "metadata.namespace", "metadata.name");
        var labels = RequestValidation.Labels(metadata.Labels, errors, "metadata.labels");
        var spec = request.Spec ?? new VirtualIpSpec();
        if (spec.Type is not (VirtualIpType.Unspecified or VirtualIpType.Public))
        {
            errors.Add("spec.type", "only PUBLIC is supported");
        }

        var family = NetworkingMapping.MapToFamily(spec.IpFamily);
        if (family is null)
        {
            errors.Add("spec.ip_family", "is required (IPV4 or IPV6)");
        }

        GatewayErrors.ThrowIfInvalid(errors);
        var created = await ControlPlane.CreateVirtualIpAsync(name, new VirtualIpCreateRequest { Family = family!.Value, Labels = labels });
        return new CreateVirtualIpResponse { VirtualIp = NetworkingMapping.MapToProto(created) };
    }

    public override async Task<GetVirtualIpResponse> GetVirtualIp(GetVirtualIpRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var vip = await client.GetGrain<IVirtualIpGrain>(name.Key).GetAsync();
        return new GetVirtualIpResponse { VirtualIp = NetworkingMapping.MapToProto(vip) };
    }

    public override async Task<ListVirtualIpsResponse> ListVirtualIps(ListVirtualIpsRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        RequestValidation.Namespace(request.Namespace, errors);
        var pageSize = RequestValidation.PageSize(request.PageSize, options.Value, errors);
        var token = RequestValidation.PageToken(request.PageToken, errors);
        GatewayErrors.ThrowIfInvalid(errors);

        var page = await ControlPlane.ListNamesAsync(ResourceKind.VirtualIp, request.Namespace, token, pageSize);
        var vips = await Listing.ReadAllAsync(page.Items, n => client.GetGrain<IVirtualIpGrain>(new ResourceName(request.Namespace, n).Key).GetAsync());
        var response = new ListVirtualIpsResponse { NextPageToken = PageTokens.Encode(page.NextPageToken) };
        response.VirtualIps.AddRange(vips.Select(NetworkingMapping.MapToProto));
        return response;
    }

    public override async Task<DeleteVirtualIpResponse> DeleteVirtualIp(DeleteVirtualIpRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        var uid = RequestValidation.OptionalUid(request.Uid, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var deleted = await ControlPlane.DeleteVirtualIpAsync(name, uid);
        return new DeleteVirtualIpResponse { VirtualIp = NetworkingMapping.MapToProto(deleted) };
    }

    private IControlPlaneGrain ControlPlane => client.GetGrain<IControlPlaneGrain>(0);
}
