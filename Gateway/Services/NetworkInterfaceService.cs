using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using IronOrleans.Gateway.Errors;
using IronOrleans.Gateway.Mapping;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Validation;
using IronOrleans.Gateway.Watch;
using IronOrleans.Grains;
using IronOrleans.Grains.Errors;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;
using Microsoft.Extensions.Options;
using NetworkInterfaceServiceBase = IronOrleans.Gateway.Networking.V1.NetworkInterfaceService.NetworkInterfaceServiceBase;
using ProtoSpec = IronOrleans.Gateway.Networking.V1.NetworkInterfaceSpec;
using Spec = IronOrleans.Grains.Model.NetworkInterfaceSpec;

namespace IronOrleans.Gateway.Services;

/// <summary><c>ironorleans.networking.v1.NetworkInterfaceService</c>: users' view of NICs.</summary>
internal sealed class NetworkInterfaceService(
    IClusterClient client, NodeWatcher watcher, IHostApplicationLifetime lifetime, IOptions<GatewayHostOptions> options)
    : NetworkInterfaceServiceBase
{
    private const string NetworkInterfaceExistsReason = "NETWORKINTERFACE_EXISTS";
    private const string LabelsPath = "metadata.labels";
    private const string PrefixesPath = "spec.prefixes";
    private const string VirtualIpPath = "spec.virtual_ip";

    public override async Task<CreateNetworkInterfaceResponse> CreateNetworkInterface(CreateNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var metadata = request.Metadata ?? new ObjectMetadata();
        var name = RequestValidation.Name(metadata.Namespace, metadata.Name, errors, "metadata.namespace", "metadata.name");
        var labels = RequestValidation.Labels(metadata.Labels, errors, LabelsPath);
        var proto = request.Spec ?? new ProtoSpec();
        var spec = new Spec
        {
            Network = proto.Network,
            Node = proto.Node,
            Ips = RequestValidation.CanonicalIps(proto.Ips),
            Prefixes = RequestValidation.CanonicalPrefixes(proto.Prefixes),
            VirtualIp = NullIfEmpty(proto.VirtualIp),
            Hostname = NullIfEmpty(proto.Hostname),
            Attributes = RequestValidation.Attributes(proto.Attributes, errors, "spec.attributes"),
        };
        Validate.NetworkInterfaceSpec(spec, errors, "spec.");
        GatewayErrors.ThrowIfInvalid(errors);

        // Create is not Ensure: an existing interface (even an identical one) is a conflict, and must stay untouched,
        // so look first (Ensure would apply changed mutable fields). A racing create can still slip between the two.
        if (await ExistsAsync(name))
        {
            ThrowExists(name);
        }

        var result = await ControlPlane.EnsureNetworkInterfaceAsync(name, spec with { Labels = labels });
        if (!result.Created)
        {
            ThrowExists(name);
        }

        return new CreateNetworkInterfaceResponse { NetworkInterface = NetworkingMapping.MapToProto(result.Interface) };
    }

    public override async Task<GetNetworkInterfaceResponse> GetNetworkInterface(GetNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var nic = await client.GetGrain<INetworkInterfaceGrain>(name.Key).GetAsync();
        return new GetNetworkInterfaceResponse { NetworkInterface = NetworkingMapping.MapToProto(nic) };
    }

    public override async Task<ListNetworkInterfacesResponse> ListNetworkInterfaces(ListNetworkInterfacesRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        RequestValidation.Namespace(request.Namespace, errors);
        var pageSize = RequestValidation.PageSize(request.PageSize, options.Value, errors);
        var token = RequestValidation.PageToken(request.PageToken, errors);
        GatewayErrors.ThrowIfInvalid(errors);

        var page = await ControlPlane.ListNamesAsync(ResourceKind.NetworkInterface, request.Namespace, token, pageSize);
        var nics = await Listing.ReadAllAsync(
            page.Items, n => client.GetGrain<INetworkInterfaceGrain>(new ResourceName(request.Namespace, n).Key).GetAsync());
        var response = new ListNetworkInterfacesResponse { NextPageToken = PageTokens.Encode(page.NextPageToken) };
        response.NetworkInterfaces.AddRange(nics.Select(NetworkingMapping.MapToProto));
        return response;
    }

    public override async Task<UpdateNetworkInterfaceResponse> UpdateNetworkInterface(UpdateNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var metadata = request.Metadata ?? new ObjectMetadata();
        var name = RequestValidation.Name(metadata.Namespace, metadata.Name, errors, "metadata.namespace", "metadata.name");
        var uid = RequestValidation.OptionalUid(metadata.Uid, errors, "metadata.uid");
        var paths = request.UpdateMask?.Paths ?? [];
        foreach (var path in paths.Where(p => p is not (LabelsPath or PrefixesPath or VirtualIpPath)))
        {
            errors.Add("update_mask", $"'{path}' is not updatable; use {LabelsPath}, {PrefixesPath} or {VirtualIpPath}");
        }

        var all = paths.Count == 0;
        var updateLabels = all || paths.Contains(LabelsPath);
        var updatePrefixes = all || paths.Contains(PrefixesPath);
        var updateVirtualIp = all || paths.Contains(VirtualIpPath);
        var proto = request.Spec ?? new ProtoSpec();
        var labels = updateLabels ? RequestValidation.Labels(metadata.Labels, errors, LabelsPath) : null;
        var prefixes = updatePrefixes ? RequestValidation.CanonicalPrefixes(proto.Prefixes) : null;
        var virtualIp = NullIfEmpty(proto.VirtualIp);
        for (var i = 0; updatePrefixes && i < prefixes!.Count; i++)
        {
            if (!Validate.TryParsePrefix(prefixes[i], out _))
            {
                errors.Add($"{PrefixesPath}[{i}]", $"'{prefixes[i]}' is not a CIDR prefix with zero host bits");
            }
        }

        if (updateVirtualIp && virtualIp is not null && !Validate.IsDnsLabel(virtualIp))
        {
            errors.Add(VirtualIpPath, "must name a VirtualIP (a DNS label)");
        }

        GatewayErrors.ThrowIfInvalid(errors);

        // The grain takes the whole spec: read it, change only the masked fields, and pin the uid that was read so a
        // re-created interface with the same name is never updated by mistake.
        var current = await client.GetGrain<INetworkInterfaceGrain>(name.Key).GetAsync();
        var spec = current.Spec with
        {
            Labels = labels ?? current.Spec.Labels,
            Prefixes = prefixes ?? current.Spec.Prefixes,
            VirtualIp = updateVirtualIp ? virtualIp : current.Spec.VirtualIp,
        };
        var updated = await ControlPlane.UpdateNetworkInterfaceAsync(name, spec, uid ?? current.Uid);
        return new UpdateNetworkInterfaceResponse { NetworkInterface = NetworkingMapping.MapToProto(updated) };
    }

    public override async Task<DeleteNetworkInterfaceResponse> DeleteNetworkInterface(DeleteNetworkInterfaceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var name = RequestValidation.Name(request.Namespace, request.Name, errors);
        var uid = RequestValidation.OptionalUid(request.Uid, errors);
        GatewayErrors.ThrowIfInvalid(errors);
        var deleted = await ControlPlane.DeleteNetworkInterfaceAsync(name, uid)
            ?? throw new ResourceNotFoundException("NetworkInterface", name.Key);
        return new DeleteNetworkInterfaceResponse { NetworkInterface = NetworkingMapping.MapToProto(deleted) };
    }

    public override async Task WatchNetworkInterfaces(
        WatchNetworkInterfacesRequest request, IServerStreamWriter<WatchNetworkInterfacesResponse> responseStream, ServerCallContext context)
    {
        var errors = new FieldErrors();
        RequestValidation.Node(request.Node, errors);
        var ns = request.Namespace;
        if (ns.Length > 0)
        {
            RequestValidation.Namespace(ns, errors);
        }

        GatewayErrors.ThrowIfInvalid(errors);
        await WatchStreaming.RunAsync(
            watcher.WatchAsync(request.Node, nic => ns.Length == 0 || nic.Name.Namespace == ns, WatchStreaming.Token(context, lifetime, out var linked)),
            item => new WatchNetworkInterfacesResponse
            {
                Type = NetworkingMapping.MapToProto(item.Change),
                NetworkInterface = item.Interface is null ? null : NetworkingMapping.MapToProto(item.Interface),
                NodeVersion = item.NodeVersion,
            },
            responseStream,
            context,
            lifetime,
            linked);
    }

    private IControlPlaneGrain ControlPlane => client.GetGrain<IControlPlaneGrain>(0);

    private async Task<bool> ExistsAsync(ResourceName name)
    {
        try
        {
            await client.GetGrain<INetworkInterfaceGrain>(name.Key).GetAsync();
            return true;
        }
        catch (Exception e) when (DomainErrors.IsNotFound(e))
        {
            return false;
        }
    }

    [DoesNotReturn]
    private static void ThrowExists(ResourceName name) =>
        throw new ResourceAlreadyExistsException(NetworkInterfaceExistsReason, $"NetworkInterface '{name.Key}' already exists");

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
