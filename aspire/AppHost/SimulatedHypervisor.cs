using System.Globalization;

namespace IronOrleans.AppHost;

/// <summary>
/// A simulated hypervisor served by one NodeAgent: an in-process PacketCore with an uplink and four VM ports, in-memory
/// by default or Linux TAP devices. <paramref name="Index"/> (1..255) makes its underlay <c>fd00:&lt;index&gt;::1</c>,
/// its MACs and its TAP names unique.
/// </summary>
internal sealed record SimulatedHypervisor(string Name, string Zone, int Index)
{
    public const int VmPortCount = 4;

    public string UnderlayAddress => Invariant($"fd00:{Index:x}::1");

    /// <summary>The NodeAgent's configuration for this node, as environment variables.</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment(bool tap)
    {
        const string node = "IronOrleans__NodeAgent__Nodes__0__";
        const string core = node + "PacketCore__";
        yield return new(node + "Name", Name);
        yield return new(node + "Zone", Zone);
        yield return new(node + "DataPlane", "InProcess");
        yield return new(core + "HostUnderlayAddress", UnderlayAddress);
        yield return new(core + "Backend", tap ? "Tap" : "InMemory");
        yield return new(core + "FlowCapacity", "65536");
        yield return new(core + "Uplink__Name", "pf0");
        yield return new(core + "Uplink__Mac", Invariant($"02:00:00:{Index:x2}:00:01"));

        // The underlay router's MAC is fixed, so the uplink needs no neighbor discovery.
        yield return new(core + "Uplink__PeerMac", Invariant($"02:00:00:{Index:x2}:ff:ff"));
        if (tap)
        {
            yield return new(core + "Uplink__TapName", Invariant($"io{Index:x2}pf0"));
        }

        for (var i = 0; i < VmPortCount; i++)
        {
            var port = Invariant($"{core}VmPorts__{i}__");
            yield return new(port + "Name", Invariant($"vf{i}"));
            yield return new(port + "Mac", Invariant($"02:00:00:{Index:x2}:01:{i:x2}"));
            if (tap)
            {
                yield return new(port + "TapName", Invariant($"io{Index:x2}vf{i}"));
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
