namespace IronOrleans.PacketCore.Tables;

/// <summary>Where a route leads: a local VM port, or the uplink with the next hop's underlay address.</summary>
internal enum RouteKind : byte
{
    None = 0,
    Local = 1,
    External = 2,
}

/// <summary>A route table entry as the packet path reads it (blittable).</summary>
internal readonly record struct RouteTarget(RouteKind Kind, byte PrefixLength, ushort PortIndex, uint NextHopVni, UInt128 NextHop)
{
    /// <summary>A default-route hit marks the flow SOUTH_NORTH (public), the trigger for VIP SNAT.</summary>
    public bool IsDefaultRoute => PrefixLength == 0;
}
