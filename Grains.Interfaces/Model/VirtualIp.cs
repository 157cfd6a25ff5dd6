namespace IronOrleans.Grains.Model;

/// <summary>What a user asks for when creating a VirtualIP (a public address).</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.virtualip-create")]
public sealed record VirtualIpCreateRequest
{
    [Id(0)] public required IpFamily Family { get; init; }
    [Id(1)] public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
}

/// <summary>The object that claims a VirtualIP (a NIC), by name and uid.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.target-ref")]
public sealed record TargetReference([property: Id(0)] string Name, [property: Id(1)] Guid Uid);

/// <summary>A VirtualIP: a public address allocated on create, claimed by at most one target.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.virtualip")]
public sealed record VirtualIpInfo
{
    [Id(0)] public required ResourceName Name { get; init; }
    [Id(1)] public required Guid Uid { get; init; }
    [Id(2)] public required IpFamily Family { get; init; }
    [Id(3)] public required string Address { get; init; }
    [Id(4)] public TargetReference? Target { get; init; }
    [Id(5)] public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
    [Id(6)] public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Occupancy of an allocator (a VNI range or a public IP pool).</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.allocator-usage")]
public sealed record AllocatorUsage([property: Id(0)] long Capacity, [property: Id(1)] long Used);
