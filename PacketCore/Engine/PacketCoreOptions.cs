namespace IronOrleans.PacketCore;

/// <summary>Which port implementation the engine opens for its configured ports.</summary>
public enum PortBackend
{
    /// <summary>In-memory queues (tests, simulations, benchmarks).</summary>
    InMemory = 0,

    /// <summary>Linux TAP devices (<c>IFF_TAP | IFF_NO_PI</c>).</summary>
    Tap = 1,
}

/// <summary>One port of the engine.</summary>
public sealed class PacketPortOptions
{
    /// <summary>Device name used by <c>CreateInterface.device_name</c> (dpservice's DPDK port name, e.g. <c>net_tap5</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>Linux netdev name of the TAP (at most 15 characters); defaults to <see cref="Name"/>.</summary>
    public string? TapName { get; set; }

    /// <summary>The port's own MAC (<c>02:00:00:00:00:01</c> form): the gateway MAC the VM sees, or the uplink's MAC.</summary>
    public string Mac { get; set; } = "";

    /// <summary>
    /// Optional MAC of the device on the other side: the VM's NIC behind a VM port (until known or learned, frames to the VM
    /// go to broadcast), or the underlay router behind the uplink (then no neighbor discovery is needed). With TAP ports
    /// this is the MAC set on the TAP netdev, which is that other side.
    /// </summary>
    public string? PeerMac { get; set; }
}

/// <summary>Options of a <see cref="PacketCoreEngine"/>. Addresses are text so the options bind from configuration.</summary>
public sealed class PacketCoreOptions
{
    public const string SectionName = "PacketCore";

    /// <summary>The host's underlay IPv6 (dpservice <c>--ipv6</c>); its /64 is the pool of per-object underlay addresses.</summary>
    public string HostUnderlayAddress { get; set; } = "";

    /// <summary>The uplink (PF) port carrying the IPv6 underlay.</summary>
    public PacketPortOptions Uplink { get; set; } = new();

    /// <summary>VM (VF) ports, one per NIC; port index = position + 1.</summary>
    public IList<PacketPortOptions> VmPorts { get; } = [];

    public PortBackend Backend { get; set; } = PortBackend.InMemory;

    /// <summary>
    /// Slots of each in-memory port's receive and transmit rings (<see cref="PortBackend.InMemory"/> only; a power of two,
    /// default 1024). Every slot holds a preallocated frame buffer in each direction, about 4 MB per port at 1024; hosts
    /// that keep many in-memory engines which carry no traffic (the provisioning benchmark's simulated hypervisors) set 2.
    /// </summary>
    public int InMemoryRingSize { get; set; } = DefaultInMemoryRingSize;

    /// <summary>Default of <see cref="InMemoryRingSize"/>.</summary>
    public const int DefaultInMemoryRingSize = 1024;

    /// <summary>
    /// The underlay router's IPv6 address on the uplink link, resolved with neighbor discovery (retried with back-off
    /// 1 s … 60 s, as dpservice does). Not needed when <see cref="PacketPortOptions.PeerMac"/> of the uplink is set; the
    /// router MAC is also learned from router advertisements.
    /// </summary>
    public string? RouterAddress { get; set; }

    /// <summary>DHCP option 26 (68–1500, default 1500; dpservice <c>--dhcp-mtu</c>).</summary>
    public int DhcpMtu { get; set; } = 1500;

    /// <summary>DHCP option 6 servers (dpservice <c>--dhcp-dns</c>).</summary>
    public IList<string> DhcpDns { get; } = [];

    /// <summary>DHCPv6 DNS servers (dpservice <c>--dhcpv6-dns</c>).</summary>
    public IList<string> Dhcpv6Dns { get; } = [];

    /// <summary>Answer PXE clients with iPXE's HTTP URL when the user class is <c>iPXE</c> (dpservice's iPXE mode).</summary>
    public bool IpxeMode { get; set; } = true;

    /// <summary>Idle timeout of a flow (dpservice: 30 s).</summary>
    public TimeSpan FlowTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Idle timeout of an established TCP flow (dpservice: 24 h).</summary>
    public TimeSpan TcpEstablishedTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Flows per worker (dpservice: 850 000 keys = 425 000 bidirectional flows).</summary>
    public int FlowCapacity { get; set; } = 425_000;

    /// <summary>Flow entries examined by the incremental aging per burst (bounded work, no full sweeps).</summary>
    public int AgingEntriesPerBurst { get; set; } = 64;

    /// <summary>Frames read from one port per poll.</summary>
    public int BurstSize { get; set; } = 32;

    /// <summary>
    /// Period of the unsolicited announcements toward every VM port with an interface (gratuitous ARP for 169.254.0.1,
    /// and with IPv6 an unsolicited NA for fe80::1 plus an RA), as dpservice sends every 30 s. Zero disables them.
    /// </summary>
    public TimeSpan AnnouncementInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Entries of each worker's packet tracer ring (dpservice's graphtrace ring holds 65 536).</summary>
    public int TraceCapacity { get; set; } = 4096;
}
