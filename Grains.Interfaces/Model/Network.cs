namespace IronOrleans.Grains.Model;

/// <summary>What a user asks for when creating a network.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.network-create")]
public sealed record NetworkCreateRequest
{
    /// <summary>A specific VNI to claim; null lets the allocator choose.</summary>
    [Id(0)] public uint? RequestedVni { get; init; }

    /// <summary>User labels.</summary>
    [Id(1)] public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
}

/// <summary>A network (one VNI), as stored and returned.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.network")]
public sealed record NetworkInfo
{
    [Id(0)] public required ResourceName Name { get; init; }
    [Id(1)] public required Guid Uid { get; init; }
    [Id(2)] public required Vni Vni { get; init; }
    [Id(3)] public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels.Instance;
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>IronCore's network provider ID.</summary>
    public string ProviderId => ProviderIds.ForNetwork(Name, Vni, Uid);
}

/// <summary>Shared empty label map.</summary>
public static class EmptyLabels
{
    /// <summary>An empty, read-only map.</summary>
    public static readonly IReadOnlyDictionary<string, string> Instance = new Dictionary<string, string>();
}
