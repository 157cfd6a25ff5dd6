using IronOrleans.Gateway.Provider.V1;
using IronOrleans.Grains.Model;
using GrainState = IronOrleans.Grains.Model.NetworkInterfaceState;
using ProtoState = IronOrleans.Gateway.Provider.V1.NetworkInterfaceState;

namespace IronOrleans.Gateway.Mapping;

/// <summary>DTO → <c>ironorleans.provider.v1</c> messages.</summary>
internal static class ProviderMapping
{
    public static NetworkInterface MapToProto(NetworkInterfaceInfo nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        var s = nic.Status;
        return new NetworkInterface
        {
            Namespace = nic.Name.Namespace,
            Name = nic.Name.Name,
            Uid = nic.Uid.ToString(),
            ProviderId = nic.ProviderId,
            Network = nic.Spec.Network,
            NetworkUid = nic.NetworkUid.ToString(),
            Vni = nic.Vni.Value,
            Node = nic.Spec.Node,
            Ips = { nic.Spec.Ips },
            Hostname = nic.Spec.Hostname ?? string.Empty,
            Labels = { nic.Spec.Labels.ToDictionary() },
            Attributes = { nic.Spec.Attributes.ToDictionary() },
            State = MapToProto(s.State),
            PciAddress = s.PciAddress is { } pci
                ? new Provider.V1.PciAddress { Domain = pci.Domain, Bus = pci.Bus, Slot = pci.Slot, Function = pci.Function }
                : null,
            TapDevice = s.TapDevice ?? string.Empty,
            Message = s.Message ?? string.Empty,
            LastStateTransitionTime = ProtoTime.MapToTimestamp(s.LastStateTransitionTime),
            ResourceVersion = nic.ResourceVersion,
            CreatedAt = ProtoTime.MapToTimestamp(nic.CreatedAt),
            Prefixes = { s.Prefixes.Count > 0 ? s.Prefixes : nic.Spec.Prefixes },
            VirtualIp = s.VirtualIpAddress ?? string.Empty,
        };
    }

    public static WatchEventType MapToProto(Watch.WatchChange change) => change switch
    {
        Watch.WatchChange.Added => WatchEventType.Added,
        Watch.WatchChange.Modified => WatchEventType.Modified,
        Watch.WatchChange.Deleted => WatchEventType.Deleted,
        Watch.WatchChange.Synced => WatchEventType.Synced,
        _ => WatchEventType.Unspecified,
    };

    private static ProtoState MapToProto(GrainState state) => state switch
    {
        GrainState.Pending => ProtoState.Pending,
        GrainState.Ready => ProtoState.Ready,
        GrainState.Error => ProtoState.Error,
        _ => ProtoState.Unspecified,
    };
}
