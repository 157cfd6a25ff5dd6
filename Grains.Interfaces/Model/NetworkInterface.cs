namespace IronOrleans.Grains.Model;

/// <summary>The desired state of a NIC, written only by its owner API.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.nic-spec")]
public sealed record NetworkInterfaceSpec
{
    /// <summary>Network name in the NIC's namespace. Immutable.</summary>
    [Id(0)] public required string Network { get; init; }

    /// <summary>Hypervisor node that hosts the NIC. Immutable.</summary>
    [Id(1)] public required string Node { get; init; }

    /// <summary>Internal IPs, at most one per family, canonical text. Immutable.</summary>
    [Id(2)] public IReadOnlyList<string> Ips { get; init; } = [];

    /// <summary>Routed prefixes (CIDR, canonical). Mutable.</summary>
    [Id(3)] public IReadOnlyList<string> Prefixes { get; init; } = [];

    /// <summary>Name of a VirtualIP in the same namespace to claim. Mutable.</summary>
    [Id(4)] public string? VirtualIp { get; init; }

    /// <summary>Guest hostname (DNS label). Immutable.</summary>
    [Id(5)] public string? Hostname { get; init; }

    /// <summary>User labels. Mutable.</summary>
    [Id(6)] public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;

    /// <summary>Provider-specific attributes. Immutable.</summary>
    [Id(7)] public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyLabels.Instance;
}

/// <summary>NIC life-cycle state (IronCore's ironcore-net states).</summary>
public enum NetworkInterfaceState
{
    /// <summary>Accepted, not yet programmed on its node.</summary>
    Pending = 0,

    /// <summary>Programmed; exactly one of PCI address or TAP device is set.</summary>
    Ready = 1,

    /// <summary>The node could not program it; see the message.</summary>
    Error = 2,
}

/// <summary>A PCI address as IronCore reports it: hex strings.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.pci-address")]
public sealed record PciAddress(
    [property: Id(0)] string Domain, [property: Id(1)] string Bus, [property: Id(2)] string Slot, [property: Id(3)] string Function);

/// <summary>What the node reports about a NIC. Written only by the node's agent.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.nic-status-report")]
public sealed record NetworkInterfaceStatusReport
{
    [Id(0)] public required Guid Uid { get; init; }
    [Id(1)] public required NetworkInterfaceState State { get; init; }
    [Id(2)] public PciAddress? PciAddress { get; init; }
    [Id(3)] public string? TapDevice { get; init; }
    [Id(4)] public string? Message { get; init; }
    [Id(5)] public IReadOnlyList<string> Prefixes { get; init; } = [];
    [Id(6)] public string? UnderlayAddress { get; init; }
}

/// <summary>The system-written status of a NIC.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.nic-status")]
public sealed record NetworkInterfaceStatus
{
    [Id(0)] public NetworkInterfaceState State { get; init; }
    [Id(1)] public PciAddress? PciAddress { get; init; }
    [Id(2)] public string? TapDevice { get; init; }
    [Id(3)] public IReadOnlyList<string> Ips { get; init; } = [];
    [Id(4)] public IReadOnlyList<string> Prefixes { get; init; } = [];
    [Id(5)] public string? VirtualIpAddress { get; init; }
    [Id(6)] public string? Message { get; init; }
    [Id(7)] public DateTimeOffset LastStateTransitionTime { get; init; }
    [Id(8)] public string? UnderlayAddress { get; init; }
}

/// <summary>A NIC as stored and returned.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.nic")]
public sealed record NetworkInterfaceInfo
{
    [Id(0)] public required ResourceName Name { get; init; }
    [Id(1)] public required Guid Uid { get; init; }
    [Id(2)] public required NetworkInterfaceSpec Spec { get; init; }
    [Id(3)] public required NetworkInterfaceStatus Status { get; init; }
    [Id(4)] public required Vni Vni { get; init; }
    [Id(5)] public required Guid NetworkUid { get; init; }
    [Id(6)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Changes on every spec or status change of this NIC.</summary>
    [Id(7)] public required long ResourceVersion { get; init; }

    /// <summary>IronCore's NIC provider ID (the handle libvirt-provider stores).</summary>
    public string ProviderId => ProviderIds.ForNetworkInterface(Name, Spec.Node, Uid);
}

/// <summary>The outcome of an idempotent ensure.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.nic-ensure-result")]
public sealed record EnsureNetworkInterfaceResult([property: Id(0)] NetworkInterfaceInfo Interface, [property: Id(1)] bool Created);
