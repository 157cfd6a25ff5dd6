namespace IronOrleans.Grains.Model;

/// <summary>A hypervisor's registration.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.node-registration")]
public sealed record NodeRegistration
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
    [Id(2)] public string? Zone { get; init; }

    /// <summary>The node's underlay /64 (the prefix PacketCore carves per-object /128s from).</summary>
    [Id(3)] public string? UnderlayPrefix { get; init; }
}

/// <summary>A registered node.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.node")]
public sealed record NodeInfo
{
    [Id(0)] public required NodeRegistration Registration { get; init; }
    [Id(1)] public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The desired-state version (bumped on every change of the node's NICs).</summary>
    [Id(2)] public required long Version { get; init; }
    [Id(3)] public required int InterfaceCount { get; init; }
}

/// <summary>What kind of change a node event carries.</summary>
public enum NodeEventType
{
    /// <summary>A NIC was added to the node or changed (spec or status).</summary>
    Upserted = 0,

    /// <summary>A NIC left the node.</summary>
    Removed = 1,
}

/// <summary>One sequenced change on a node's stream. Versions increase by exactly one per event.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.node-event")]
public sealed record NodeEvent
{
    [Id(0)] public required string Node { get; init; }
    [Id(1)] public required long Version { get; init; }
    [Id(2)] public required NodeEventType Type { get; init; }
    [Id(3)] public required NetworkInterfaceInfo Interface { get; init; }
}

/// <summary>A node's full desired state at one version: the truth that stream events hint at.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.node-snapshot")]
public sealed record NodeSnapshot
{
    [Id(0)] public required string Node { get; init; }
    [Id(1)] public required long Version { get; init; }
    [Id(2)] public required IReadOnlyList<NetworkInterfaceInfo> Interfaces { get; init; }
}

/// <summary>A page of a listing.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.page`1")]
public sealed record Page<T>([property: Id(0)] IReadOnlyList<T> Items, [property: Id(1)] string? NextPageToken);
