using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Grains.Model;
using NetworkInterfaceState = IronOrleans.Grains.Model.NetworkInterfaceState;
using ProtoNetworkInterfaceState = IronOrleans.Gateway.Networking.V1.NetworkInterfaceState;

namespace IronOrleans.Gateway.Mapping;

/// <summary>DTO ↔ <c>ironorleans.networking.v1</c> messages.</summary>
internal static class NetworkingMapping
{
    public static Network MapToProto(NetworkInfo network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new Network
        {
            Metadata = MapToMetadata(network.Name, network.Uid, network.Labels, network.CreatedAt, resourceVersion: 0),
            Spec = new NetworkSpec { Vni = network.Vni.Value },
            Status = new NetworkStatus
            {
                State = NetworkState.Available,
                Vni = network.Vni.Value,
                ProviderId = network.ProviderId,
            },
        };
    }

    public static VirtualIp MapToProto(VirtualIpInfo vip)
    {
        ArgumentNullException.ThrowIfNull(vip);
        return new VirtualIp
        {
            Metadata = MapToMetadata(vip.Name, vip.Uid, vip.Labels, vip.CreatedAt, resourceVersion: 0),
            Spec = new VirtualIpSpec { Type = VirtualIpType.Public, IpFamily = MapToProto(vip.Family) },
            Status = new VirtualIpStatus
            {
                Ip = vip.Address,
                TargetRef = vip.Target is { } t ? new Networking.V1.TargetReference { Name = t.Name, Uid = t.Uid.ToString() } : null,
            },
        };
    }

    public static NetworkInterface MapToProto(NetworkInterfaceInfo nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        var spec = new Networking.V1.NetworkInterfaceSpec
        {
            Network = nic.Spec.Network,
            Node = nic.Spec.Node,
            Ips = { nic.Spec.Ips },
            Prefixes = { nic.Spec.Prefixes },
            VirtualIp = nic.Spec.VirtualIp ?? string.Empty,
            Hostname = nic.Spec.Hostname ?? string.Empty,
            Attributes = { nic.Spec.Attributes.ToDictionary() },
        };
        var s = nic.Status;
        var status = new Networking.V1.NetworkInterfaceStatus
        {
            State = MapToProto(s.State),
            PciAddress = s.PciAddress is { } pci
                ? new Networking.V1.PciAddress { Domain = pci.Domain, Bus = pci.Bus, Slot = pci.Slot, Function = pci.Function }
                : null,
            TapDevice = s.TapDevice ?? string.Empty,
            Ips = { s.Ips },
            Prefixes = { s.Prefixes },
            VirtualIp = s.VirtualIpAddress ?? string.Empty,
            Message = s.Message ?? string.Empty,
            LastStateTransitionTime = ProtoTime.MapToTimestamp(s.LastStateTransitionTime),
            ProviderId = nic.ProviderId,
            Vni = nic.Vni.Value,
            NetworkUid = nic.NetworkUid.ToString(),
        };
        return new NetworkInterface
        {
            Metadata = MapToMetadata(nic.Name, nic.Uid, nic.Spec.Labels, nic.CreatedAt, nic.ResourceVersion),
            Spec = spec,
            Status = status,
        };
    }

    public static Grains.Model.IpFamily? MapToFamily(Networking.V1.IpFamily family) => family switch
    {
        Networking.V1.IpFamily.Ipv4 => Grains.Model.IpFamily.IPv4,
        Networking.V1.IpFamily.Ipv6 => Grains.Model.IpFamily.IPv6,
        _ => null,
    };

    public static WatchEventType MapToProto(Watch.WatchChange change) => change switch
    {
        Watch.WatchChange.Added => WatchEventType.Added,
        Watch.WatchChange.Modified => WatchEventType.Modified,
        Watch.WatchChange.Deleted => WatchEventType.Deleted,
        Watch.WatchChange.Synced => WatchEventType.Synced,
        _ => WatchEventType.Unspecified,
    };

    private static ObjectMetadata MapToMetadata(
        ResourceName name, Guid uid, IReadOnlyDictionary<string, string> labels, DateTimeOffset createdAt, long resourceVersion) => new()
        {
            Namespace = name.Namespace,
            Name = name.Name,
            Uid = uid.ToString(),
            Labels = { labels.ToDictionary() },
            CreatedAt = ProtoTime.MapToTimestamp(createdAt),
            ResourceVersion = resourceVersion,
        };

    private static Networking.V1.IpFamily MapToProto(Grains.Model.IpFamily family) => family switch
    {
        Grains.Model.IpFamily.IPv4 => Networking.V1.IpFamily.Ipv4,
        Grains.Model.IpFamily.IPv6 => Networking.V1.IpFamily.Ipv6,
        _ => Networking.V1.IpFamily.Unspecified,
    };

    private static ProtoNetworkInterfaceState MapToProto(NetworkInterfaceState state) => state switch
    {
        NetworkInterfaceState.Pending => ProtoNetworkInterfaceState.Pending,
        NetworkInterfaceState.Ready => ProtoNetworkInterfaceState.Ready,
        NetworkInterfaceState.Error => ProtoNetworkInterfaceState.Error,
        _ => ProtoNetworkInterfaceState.Unspecified,
    };
}
