namespace IronOrleans.Grains.Model;

/// <summary>Kinds of next hop (metalbond's <c>NextHopType</c>).</summary>
public enum NextHopType
{
    /// <summary>Encapsulate to the underlay address.</summary>
    Standard = 0,

    /// <summary>A slice (port range) of a shared NAT IP owned by the announcing node.</summary>
    Nat = 1,

    /// <summary>A NIC serving a load-balancer VIP.</summary>
    LoadBalancerTarget = 2,
}

/// <summary>Where a route leads: an underlay IPv6 address (canonical text) plus type, target VNI and NAT ports.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.next-hop")]
public readonly record struct NextHop(
    [property: Id(0)] string Underlay,
    [property: Id(1)] NextHopType Type = NextHopType.Standard,
    [property: Id(2)] uint TargetVni = 0,
    [property: Id(3)] ushort NatPortFrom = 0,
    [property: Id(4)] ushort NatPortTo = 0);

/// <summary>A route: identity is the whole tuple, so one prefix may have many next hops.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.route")]
public readonly record struct Route(
    [property: Id(0)] uint Vni,
    [property: Id(1)] string Prefix,
    [property: Id(2)] NextHop NextHop)
{
    /// <inheritdoc />
    public override string ToString() => $"{Vni} {Prefix} -> {NextHop.Underlay} ({NextHop.Type})";
}

/// <summary>A route together with the node that announced it.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.route-origin")]
public readonly record struct OriginRoute([property: Id(0)] Route Route, [property: Id(1)] string Origin);

/// <summary>Whether a delta adds or removes an (origin, route) pair.</summary>
public enum RouteChange
{
    /// <summary>The origin announced the route.</summary>
    Announced = 0,

    /// <summary>The origin withdrew the route (or its node died).</summary>
    Withdrawn = 1,

    /// <summary>
    /// End-of-RIB (BGP graceful restart's marker): every origin a restarted table asked to re-sync has done so or was
    /// declared dead, so what is not in the table now is stale everywhere. <see cref="RouteDelta.Entry"/> is empty.
    /// </summary>
    Complete = 2,
}

/// <summary>One sequenced change of a VNI's route table. Versions increase by exactly one per delta.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.route-delta")]
public readonly record struct RouteDelta(
    [property: Id(0)] long Version,
    [property: Id(1)] RouteChange Change,
    [property: Id(2)] OriginRoute Entry);

/// <summary>A VNI's whole route table at one version.</summary>
[GenerateSerializer, Immutable, Alias("ironorleans.route-snapshot")]
public sealed record RouteSnapshot
{
    [Id(0)] public required uint Vni { get; init; }
    [Id(1)] public required long Version { get; init; }
    [Id(2)] public required IReadOnlyList<OriginRoute> Routes { get; init; }

    /// <summary>
    /// False while a restarted table still waits for origins of its previous activation to re-announce: until then a
    /// subscriber keeps installed routes the snapshot lacks (a <see cref="RouteChange.Complete"/> delta follows).
    /// </summary>
    [Id(3)] public bool Complete { get; init; } = true;
}
