using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Headers;
using IronOrleans.PacketCore.Io;
using IronOrleans.PacketCore.Nodes;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Graph;

/// <summary>
/// One packet worker. It owns its frame batch, flow table, learned MACs, counters and tracer, and is the only thread
/// touching them. <see cref="PollOnce"/> reads the current table snapshot once, then for each port: receive a burst,
/// run every packet to completion through the graph (classify → responders | conntrack → NAT → LPM → local delivery
/// or IP-in-IPv6 encapsulation; decapsulation on the uplink), and transmit the results grouped by output port.
/// </summary>
/// <remarks>
/// Run-to-completion per packet instead of dpservice's node-by-node burst hand-off: in managed code this keeps a packet's
/// headers and metadata in L1 across stages and avoids per-node queues; the stages are still separate node classes
/// in <c>Nodes/</c> with a drop reason per exit.
/// </remarks>
internal sealed partial class PacketWorker
{
    private const int OuterLength = EthernetLayout.HeaderLength + Ipv6Layout.Length;
    private const int EncapShift = Ipv6Layout.Length;

    private readonly EngineSettings _settings;
    private readonly IPacketPort[] _ports;
    private readonly SnapshotHolder _snapshots;
    private readonly TimeProvider _time;
    private readonly FrameBatch _batch;
    private readonly int _burst;
    private readonly int _spareSlot;
    private readonly ulong[] _portMacs;
    private readonly ulong[] _peerMacs;
    private readonly ushort[][] _txSlots;
    private readonly int[] _txCount;
    private readonly FlowTable _flows;
    private readonly PacketMeta[] _meta;
    private readonly long _second;
    private ulong _routerMac;
    private long _nextSolicitation;
    private long _solicitationInterval;
    private readonly long _announcementInterval;
    private long _nextAnnouncement;

    public PacketWorker(int id, EngineSettings settings, IPacketPort[] ports, SnapshotHolder snapshots, TimeProvider time)
    {
        Id = id;
        _settings = settings;
        _ports = ports;
        _snapshots = snapshots;
        _time = time;
        _burst = settings.BurstSize;
        _spareSlot = _burst;
        _batch = new FrameBatch(_burst + 1);
        _portMacs = settings.PortMacs;
        _peerMacs = (ulong[])settings.PeerMacs.Clone();
        _routerMac = _peerMacs[0];
        _txSlots = new ushort[ports.Length][];
        for (var i = 0; i < ports.Length; i++)
        {
            _txSlots[i] = new ushort[_burst + 1];
        }

        _txCount = new int[ports.Length];
        _meta = new PacketMeta[_burst];
        var frequency = time.TimestampFrequency;
        _second = frequency;
        _flows = new FlowTable(settings.FlowCapacity, ToTicks(settings.FlowTimeout, frequency), ToTicks(settings.TcpEstablishedTimeout, frequency));
        _solicitationInterval = frequency;
        _announcementInterval = ToTicks(settings.AnnouncementInterval, frequency);
        _nextAnnouncement = time.GetTimestamp() + _announcementInterval;
        Counters = new PacketCounters();
        Tracer = new PacketTracer(settings.TraceCapacity);
    }

    public int Id { get; }

    public PacketCounters Counters { get; }

    public PacketTracer Tracer { get; }

    public int FlowCount => _flows.Count;

    internal FlowTable Flows => _flows;

    /// <summary>The resolved MAC of the underlay router (0 = unknown).</summary>
    internal ulong RouterMac => Volatile.Read(ref _routerMac);

    /// <summary>The MAC learned (or configured) for the VM behind <paramref name="port"/> (0 = unknown).</summary>
    internal ulong PeerMac(int port) => Volatile.Read(ref _peerMacs[port]);

    /// <summary>Polls every port once; returns the number of frames received.</summary>
    public int PollOnce()
    {
        var snapshot = _snapshots.Current;
        var now = _time.GetTimestamp();
        var total = 0;
        for (var port = 0; port < _ports.Length; port++)
        {
            var received = _ports[port].Receive(_batch, 0, _burst);
            if (received == 0)
            {
                continue;
            }

            total += received;
            Counters.Add(PacketCounter.Received, received);

            // Each packet runs to completion: on a VM port (tracing off) runs of established-flow packets take the fast
            // path; every other packet is parsed once by the classifier into its metadata slot and handled by the node its
            // kind selects. Packets leave in the order they arrived.
            var tracing = Tracer.Enabled;
            var fastIface = port == 0 || tracing || !BitConverter.IsLittleEndian ? null : snapshot.InterfaceByPort[port];
            var slot = 0;
            while (slot < received)
            {
                if (fastIface is not null)
                {
                    slot = ForwardTrains(snapshot, fastIface, port, slot, received, now);
                    if (slot == received)
                    {
                        break;
                    }
                }

                // Every field a node reads is written by the classifier for that kind, so the slot is not cleared.
                ref var meta = ref _meta[slot];
                var frame = _batch.Frame(slot);
                int outPort;
                DropReason reason;
                if (port == 0)
                {
                    reason = ClassifyNode.FromUplink(frame, ref meta);
                    outPort = -1;
                    if (reason == DropReason.None)
                    {
                        reason = FromUplink(snapshot, slot, ref meta, now, out outPort);
                    }
                }
                else
                {
                    LearnPeerMac(port, frame);
                    reason = ClassifyNode.FromVm(frame, ref meta);
                    outPort = -1;
                    if (reason == DropReason.None)
                    {
                        reason = FromVm(snapshot, port, slot, ref meta, now, out outPort);
                    }
                }

                if (reason == DropReason.None)
                {
                    _txSlots[outPort][_txCount[outPort]++] = (ushort)slot;
                }
                else
                {
                    Counters.Drop(reason);
                    outPort = -1;
                }

                if (tracing)
                {
                    Tracer.Record(now, port, outPort, reason, _batch.Frame(slot));
                }

                slot++;
            }

            Flush();
        }

        var expired = _flows.AgeSome(now, _settings.AgingEntriesPerBurst);
        if (expired > 0)
        {
            Counters.Add(PacketCounter.FlowsExpired, expired);
        }

        if (_routerMac == 0 && _settings.RouterAddress != UInt128.Zero && now >= _nextSolicitation)
        {
            SolicitRouter(now);
        }

        if (_announcementInterval > 0 && now >= _nextAnnouncement)
        {
            Announce(snapshot);
            _nextAnnouncement = now + _announcementInterval;
        }

        return total;
    }

    private static long ToTicks(TimeSpan span, long frequency) => (long)(span.TotalSeconds * frequency);

    private void Flush()
    {
        for (var port = 0; port < _txCount.Length; port++)
        {
            var count = _txCount[port];
            if (count == 0)
            {
                continue;
            }

            var sent = _ports[port].Transmit(_batch, _txSlots[port].AsSpan(0, count));
            Counters.Add(PacketCounter.Transmitted, sent);
            if (sent < count)
            {
                Counters.Add(PacketCounter.TransmitFailed, count - sent);
            }

            _txCount[port] = 0;
        }
    }

    /// <summary>Neighbor solicitation for the router, retried with back-off 1 s … 60 s (dpservice's neighbor-MAC retry).</summary>
    private void SolicitRouter(long now)
    {
        SendGenerated(0, NdNode.WriteSolicitation(_batch.ReceiveBuffer(_spareSlot), _portMacs[0], _settings.HostUnderlay, _settings.RouterAddress));
        _nextSolicitation = now + _solicitationInterval;
        _solicitationInterval = Math.Min(_solicitationInterval * 2, 60 * _second);
    }

    /// <summary>dpservice's periodic GARP / unsolicited NA / RA toward every VM port that has an interface.</summary>
    private void Announce(DataPlaneSnapshot snapshot)
    {
        for (var port = 1; port < _ports.Length; port++)
        {
            var iface = snapshot.InterfaceByPort[port];
            if (iface is null)
            {
                continue;
            }

            var mac = _portMacs[port];
            SendGenerated(port, ArpNode.WriteGratuitous(_batch.ReceiveBuffer(_spareSlot), mac));
            if (iface.Ipv6 != UInt128.Zero)
            {
                var allNodesMac = PacketWriter.MulticastMac(WellKnown.AllNodes);
                SendGenerated(port, NdNode.WriteAdvertisement(_batch.ReceiveBuffer(_spareSlot), allNodesMac, mac, WellKnown.GatewayIpv6,
                    WellKnown.AllNodes, WellKnown.GatewayIpv6, NdLayout.NaRouter | NdLayout.NaOverride));
                SendGenerated(port, NdNode.WriteRouterAdvertisement(_batch.ReceiveBuffer(_spareSlot), allNodesMac, mac, WellKnown.AllNodes));
            }
        }
    }

    private void SendGenerated(int port, int length)
    {
        _batch.SetReceived(_spareSlot, length);
        _txSlots[port][0] = (ushort)_spareSlot;
        Counters.Add(PacketCounter.Transmitted, _ports[port].Transmit(_batch, _txSlots[port].AsSpan(0, 1)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Area(int slot) => _batch.Slot(slot)[_batch.OffsetOf(slot)..];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LearnPeerMac(int port, ReadOnlySpan<byte> frame)
    {
        if (frame.Length >= EthernetLayout.HeaderLength)
        {
            var source = Mac.Read(frame[EthernetLayout.Source..]);
            if (source != _peerMacs[port] && !Mac.IsMulticast(source))
            {
                Volatile.Write(ref _peerMacs[port], source);
            }
        }
    }

    /// <summary>A classified frame from a VM port: conntrack → NAT → LPM → local delivery / encapsulation, or a responder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private DropReason FromVm(DataPlaneSnapshot snapshot, int port, int slot, ref PacketMeta meta, long now, out int outPort) =>
        meta.Kind is PacketKind.Ipv4 or PacketKind.Ipv6
            ? Forward(snapshot, port, slot, _batch.Frame(slot), ref meta, now, out outPort)
            : Respond(snapshot, port, slot, ref meta, out outPort);

    /// <summary>The responders toward VMs (ARP, ND/RA, DHCP, DHCPv6): kept out of line so the forwarding path stays small.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private DropReason Respond(DataPlaneSnapshot snapshot, int port, int slot, ref PacketMeta meta, out int outPort)
    {
        outPort = port;
        var frame = _batch.Frame(slot);
        switch (meta.Kind)
        {
            case PacketKind.Arp:
            {
                var reason = ArpNode.Process(frame, _portMacs[port]);
                if (reason == DropReason.None)
                {
                    Counters.Count(PacketCounter.ArpReplies);
                }

                return reason;
            }

            case PacketKind.NeighborDiscovery:
            {
                var reason = NdNode.ProcessFromVm(Area(slot), frame.Slice(meta.L4Offset, meta.L4Length), _portMacs[port], out var length);
                if (reason == DropReason.None)
                {
                    _batch.SetFrame(slot, _batch.OffsetOf(slot), length);
                    Counters.Count(length == NdNode.RaFrameLength ? PacketCounter.RouterAdvertisements : PacketCounter.NeighborAdvertisements);
                }

                return reason;
            }

            case PacketKind.Dhcp:
            case PacketKind.Dhcpv6:
            {
                var iface = snapshot.InterfaceByPort[port];
                if (iface is null)
                {
                    return DropReason.NoInterface;
                }

                var message = frame.Slice(meta.L4Offset + UdpLayout.HeaderLength, meta.L4Length - UdpLayout.HeaderLength);
                int length;
                var reason = meta.Kind == PacketKind.Dhcp
                    ? DhcpNode.Process(Area(slot), message, iface, _settings, _portMacs[port], out length)
                    : Dhcpv6Node.Process(Area(slot), message, iface, _settings, _portMacs[port], out length);
                if (reason == DropReason.None)
                {
                    _batch.SetFrame(slot, _batch.OffsetOf(slot), length);
                    Counters.Count(meta.Kind == PacketKind.Dhcp ? PacketCounter.DhcpReplies : PacketCounter.Dhcpv6Replies);
                }

                return reason;
            }

            default:
                return DropReason.Malformed;
        }
    }

    /// <summary>
    /// Routing of a VM's IPv4/IPv6 packet: conntrack (with the route cached per flow direction while the snapshot is
    /// unchanged), VIP SNAT for new SOUTH_NORTH IPv4 flows, TTL/hop-limit decrement, then local delivery or encapsulation.
    /// </summary>
    private DropReason Forward(DataPlaneSnapshot snapshot, int port, int slot, Span<byte> frame, ref PacketMeta meta, long now, out int outPort)
    {
        outPort = port;
        var iface = snapshot.InterfaceByPort[port];
        if (iface is null)
        {
            return DropReason.NoInterface;
        }

        var ipv6 = meta.IsIpv6;
        if (ipv6 ? iface.Ipv6 == UInt128.Zero : iface.Ipv4 == 0)
        {
            return DropReason.FamilyDisabled;
        }

        if (meta.Ttl <= 1)
        {
            return DropReason.TtlExceeded;
        }

        var key = MakeKey(iface.Vni, in meta);
        var flow = _flows.Lookup(in key, now, out var isReply);
        RouteTarget route;
        if (flow >= 0)
        {
            // Established flow: reuse the route found for this direction while the tables have not changed.
            ref var cached = ref _flows.Entry(flow);
            if ((isReply ? cached.ReplyVersion : cached.OriginalVersion) == snapshot.Version)
            {
                route = isReply ? cached.ReplyRoute : cached.OriginalRoute;
            }
            else if (cached.NatPort == port && cached.NatEpoch != iface.NatEpoch)
            {
                // The interface's NAT configuration changed: the flow's translation is stale (dpservice flushes such flows).
                _flows.Remove(flow);
                flow = -1;
                route = default;
            }
            else if (!Lookup(snapshot.Vnis[iface.VniIndex], in meta, out route))
            {
                return DropReason.NoRoute;
            }
        }
        else
        {
            route = default;
        }

        if (flow < 0)
        {
            if (!Lookup(snapshot.Vnis[iface.VniIndex], in meta, out route))
            {
                return DropReason.NoRoute;
            }

            // A new IPv4 flow leaving by the default route from an interface with a VIP is SOUTH_NORTH: SNAT to the VIP.
            var nat = !ipv6 && route.Kind == RouteKind.External && route.IsDefaultRoute ? iface.Vip : 0u;
            var reply = ReplyKey(in key, meta.Protocol);
            if (nat != 0)
            {
                reply.DestinationLow = nat;
            }

            flow = _flows.Create(in key, in reply, now);
            if (flow < 0)
            {
                return DropReason.FlowTableFull;
            }

            ref var created = ref _flows.Entry(flow);
            created.NatEpoch = iface.NatEpoch;
            created.NatPort = (ushort)port;
            if (nat != 0)
            {
                created.Flags = FlowFlags.SourceNat;
                created.NatAddress = nat;
                created.PrivateAddress = (uint)meta.Source;
            }

            isReply = false;
            Counters.Count(PacketCounter.FlowsCreated);
        }

        ref var entry = ref _flows.Entry(flow);
        entry.LastSeen = now;
        if (isReply && entry.ReplyVersion != snapshot.Version)
        {
            entry.ReplyRoute = route;
            entry.ReplyVersion = snapshot.Version;
        }
        else if (!isReply && entry.OriginalVersion != snapshot.Version)
        {
            entry.OriginalRoute = route;
            entry.OriginalVersion = snapshot.Version;
        }

        if (meta.Protocol == IpProtocol.Tcp)
        {
            FlowTable.TrackTcp(ref entry, meta.TcpFlags, isReply);
        }

        var ip = frame.Slice(meta.L3Offset, meta.L3Length);
        if (ipv6)
        {
            ip[Ipv6Layout.HopLimit] = (byte)(meta.Ttl - 1);
        }
        else
        {
            DecrementTtl(ip, meta.Ttl, meta.Protocol);

            // Source rewrite: the original direction of a SNAT flow, or the VM's reply inside a DNAT (inbound VIP) flow.
            if ((!isReply && (entry.Flags & FlowFlags.SourceNat) != 0) || (isReply && (entry.Flags & FlowFlags.DestinationNat) != 0))
            {
                RewriteIpv4Address(ip, Ipv4Layout.Source, (uint)meta.Source, entry.NatAddress, meta.Protocol, meta.HeaderLength);
                Counters.Count(PacketCounter.SourceNat);
            }
        }

        return route.Kind == RouteKind.Local
            ? DeliverLocal(port, frame, route.PortIndex, ipv6 ? EthernetLayout.TypeIpv6 : EthernetLayout.TypeIpv4, out outPort)
            : Encapsulate(slot, iface.Underlay, route.NextHop, ipv6 ? IpProtocol.Ipv6InIp : IpProtocol.IpInIp, meta.L3Length, out outPort);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Lookup(VniTables tables, in PacketMeta meta, out RouteTarget route) => meta.IsIpv6
        ? tables.Routes6.TryLookup(meta.Destination, out route)
        : tables.Routes4.TryLookup((uint)meta.Destination, out route);

    /// <summary>A classified frame from the uplink: decapsulation toward a VM, or host-side neighbor discovery.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private DropReason FromUplink(DataPlaneSnapshot snapshot, int slot, ref PacketMeta meta, long now, out int outPort) =>
        meta.Kind == PacketKind.Tunnel
            ? Decap(snapshot, slot, ref meta, now, out outPort)
            : UplinkNeighborDiscovery(snapshot, slot, ref meta, out outPort);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private DropReason UplinkNeighborDiscovery(DataPlaneSnapshot snapshot, int slot, ref PacketMeta meta, out int outPort)
    {
        outPort = 0;
        {
            var frame = _batch.Frame(slot);
            var reason = NdNode.ProcessFromUplink(Area(slot), frame.Slice(meta.L4Offset, meta.L4Length), snapshot, _settings.HostUnderlay,
                _settings.RouterAddress, _portMacs[0], ref _routerMac, out var length);
            if (reason == DropReason.None)
            {
                _batch.SetFrame(slot, _batch.OffsetOf(slot), length);
                Counters.Count(PacketCounter.NeighborAdvertisements);
            }

            return reason;
        }
    }

    /// <summary>
    /// IP-in-IPv6 from the uplink: the outer destination names the object (VNF lookup); the inner destination must belong
    /// to it; conntrack; DNAT for a VIP (or the reply of a SNAT flow); strip the outer headers toward the VM's port.
    /// </summary>
    private DropReason Decap(DataPlaneSnapshot snapshot, int slot, ref PacketMeta meta, long now, out int outPort)
    {
        outPort = 0;
        if (!snapshot.Vnfs.TryGetValue(meta.OuterDestination, out var vnf))
        {
            return DropReason.UnknownUnderlay;
        }

        var iface = snapshot.InterfaceByPort[vnf.PortIndex];
        if (iface is null || iface.Vni != vnf.Vni)
        {
            return DropReason.NoInterface;
        }

        var ipv6 = meta.IsIpv6;
        var destination = meta.Destination;
        var addressed = vnf.Type switch
        {
            VnfType.InterfaceIp => ipv6 ? iface.Ipv6 != UInt128.Zero && destination == iface.Ipv6 : iface.Ipv4 != 0 && destination == iface.Ipv4,
            VnfType.AliasPrefix => vnf.PrefixIsIpv6 == ipv6 && (ipv6
                ? Mask6(destination, vnf.PrefixLength) == vnf.Prefix
                : Mask4((uint)destination, vnf.PrefixLength) == (uint)vnf.Prefix),
            VnfType.Vip => !ipv6 && iface.Vip != 0 && destination == iface.Vip && iface.Ipv4 != 0,
            _ => false,
        };
        if (!addressed)
        {
            return DropReason.InnerDestinationMismatch;
        }

        var key = MakeKey(iface.Vni, in meta);
        var flow = _flows.Lookup(in key, now, out var isReply);
        if (flow >= 0 && !ipv6 && _flows.Entry(flow).NatPort == vnf.PortIndex && _flows.Entry(flow).NatEpoch != iface.NatEpoch)
        {
            _flows.Remove(flow);
            flow = -1;
        }

        if (flow < 0)
        {
            var reply = ReplyKey(in key, meta.Protocol);
            var dnat = vnf.Type == VnfType.Vip;
            if (dnat)
            {
                reply.SourceLow = iface.Ipv4;
            }

            flow = _flows.Create(in key, in reply, now);
            if (flow < 0)
            {
                return DropReason.FlowTableFull;
            }

            ref var created = ref _flows.Entry(flow);
            created.NatEpoch = iface.NatEpoch;
            created.NatPort = (ushort)vnf.PortIndex;
            if (dnat)
            {
                created.Flags = FlowFlags.DestinationNat;
                created.NatAddress = (uint)destination;
                created.PrivateAddress = iface.Ipv4;
            }

            isReply = false;
            Counters.Count(PacketCounter.FlowsCreated);
        }

        ref var entry = ref _flows.Entry(flow);
        entry.LastSeen = now;
        if (meta.Protocol == IpProtocol.Tcp)
        {
            FlowTable.TrackTcp(ref entry, meta.TcpFlags, isReply);
        }

        // Destination rewrite: inbound to a VIP (DNAT flow), or the reply to an outbound SNAT flow.
        if ((!isReply && (entry.Flags & FlowFlags.DestinationNat) != 0) || (isReply && (entry.Flags & FlowFlags.SourceNat) != 0))
        {
            var ip = _batch.Frame(slot).Slice(meta.L3Offset, meta.L3Length);
            RewriteIpv4Address(ip, Ipv4Layout.Destination, (uint)destination, entry.PrivateAddress, meta.Protocol, meta.HeaderLength);
            Counters.Count(PacketCounter.DestinationNat);
        }

        return Decapsulate(slot, vnf.PortIndex, ipv6 ? EthernetLayout.TypeIpv6 : EthernetLayout.TypeIpv4, meta.L3Length, out outPort);
    }

    private DropReason DeliverLocal(int inPort, Span<byte> frame, int target, ushort etherType, out int outPort)
    {
        outPort = target;
        if (target == inPort || target == 0)
        {
            return DropReason.Hairpin;
        }

        var mac = _peerMacs[target];
        Mac.Write(frame[EthernetLayout.Destination..], mac == 0 ? WellKnown.BroadcastMac : mac);
        Mac.Write(frame[EthernetLayout.Source..], _portMacs[target]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[EthernetLayout.EtherType..], etherType);
        Counters.Count(PacketCounter.LocalDelivered);
        return DropReason.None;
    }

    /// <summary>
    /// Prepends Ethernet + IPv6 (hop limit 64, traffic class and flow label 0, next header 4 or 41, source = the sending
    /// object's underlay address) in the slot's headroom, replacing the inner Ethernet header.
    /// </summary>
    private DropReason Encapsulate(int slot, UInt128 source, UInt128 nextHop, byte nextHeader, int innerLength, out int outPort)
    {
        outPort = 0;
        var routerMac = _routerMac;
        if (routerMac == 0)
        {
            return DropReason.RouterUnresolved;
        }

        var offset = _batch.OffsetOf(slot) - EncapShift;
        var outer = _batch.Slot(slot)[offset..];
        PacketWriter.Ethernet(outer, routerMac, _portMacs[0], EthernetLayout.TypeIpv6);
        PacketWriter.Ipv6(outer[EthernetLayout.HeaderLength..], source, nextHop, nextHeader, innerLength, WellKnown.UnderlayHopLimit);
        _batch.SetFrame(slot, offset, OuterLength + innerLength);
        Counters.Count(PacketCounter.Encapsulated);
        return DropReason.None;
    }

    /// <summary>Strips the outer Ethernet + IPv6 and writes a new Ethernet header toward the VM port.</summary>
    private DropReason Decapsulate(int slot, int target, ushort etherType, int innerLength, out int outPort)
    {
        outPort = target;
        var offset = _batch.OffsetOf(slot) + EncapShift;
        var frame = _batch.Slot(slot)[offset..];
        var mac = _peerMacs[target];
        PacketWriter.Ethernet(frame, mac == 0 ? WellKnown.BroadcastMac : mac, _portMacs[target], etherType);
        _batch.SetFrame(slot, offset, EthernetLayout.HeaderLength + innerLength);
        Counters.Count(PacketCounter.Decapsulated);
        return DropReason.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FlowKey MakeKey(uint vni, in PacketMeta meta)
    {
        var protocol = meta.Protocol;
        if (protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            // ICMP: the type takes the source-port slot, the echo identifier the destination-port slot.
            var type = meta.IcmpType;
            return FlowKey.Create(vni, meta.Source, meta.Destination, protocol, type, IsEcho(type) ? meta.DestinationPort : meta.IcmpCode, meta.IsIpv6);
        }

        return FlowKey.Create(vni, meta.Source, meta.Destination, protocol, meta.SourcePort, meta.DestinationPort, meta.IsIpv6);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsEcho(byte type) => type is IcmpLayout.EchoRequest or IcmpLayout.EchoReply or IcmpLayout.V6EchoRequest or IcmpLayout.V6EchoReply;

    /// <summary>The key the other direction of the flow carries (for echo the type is swapped request ↔ reply).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FlowKey ReplyKey(in FlowKey key, byte protocol)
    {
        var reply = key;
        reply.SourceHigh = key.DestinationHigh;
        reply.SourceLow = key.DestinationLow;
        reply.DestinationHigh = key.SourceHigh;
        reply.DestinationLow = key.SourceLow;
        if (protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            reply.SourcePort = key.SourcePort switch
            {
                IcmpLayout.EchoRequest => IcmpLayout.EchoReply,
                IcmpLayout.EchoReply => IcmpLayout.EchoRequest,
                IcmpLayout.V6EchoRequest => IcmpLayout.V6EchoReply,
                IcmpLayout.V6EchoReply => IcmpLayout.V6EchoRequest,
                _ => key.SourcePort,
            };
        }
        else
        {
            reply.SourcePort = key.DestinationPort;
            reply.DestinationPort = key.SourcePort;
        }

        return reply;
    }

    /// <summary>TTL − 1 with the RFC 1624 incremental header checksum update (TTL shares a 16-bit word with the protocol).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecrementTtl(Span<byte> ip, byte ttl, byte protocol)
    {
        ip[Ipv4Layout.Ttl] = (byte)(ttl - 1);
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Layout.Checksum..]);
        checksum = Checksum.Update16(checksum, (ushort)((ttl << 8) | protocol), (ushort)(((ttl - 1) << 8) | protocol));
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Layout.Checksum..], checksum);
    }

    /// <summary>Rewrites an IPv4 address field and fixes the IPv4 and the TCP/UDP checksums incrementally.</summary>
    private static void RewriteIpv4Address(Span<byte> ip, int field, uint old, uint @new, byte protocol, int headerLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(ip[field..], @new);
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Layout.Checksum..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Layout.Checksum..], Checksum.Update32(checksum, old, @new));
        var l4 = ip[headerLength..];
        if (protocol == IpProtocol.Tcp)
        {
            var tcp = BinaryPrimitives.ReadUInt16BigEndian(l4[TcpLayout.Checksum..]);
            BinaryPrimitives.WriteUInt16BigEndian(l4[TcpLayout.Checksum..], Checksum.Update32(tcp, old, @new));
        }
        else if (protocol == IpProtocol.Udp)
        {
            var udp = BinaryPrimitives.ReadUInt16BigEndian(l4[UdpLayout.Checksum..]);
            if (udp != 0)
            {
                var updated = Checksum.Update32(udp, old, @new);
                BinaryPrimitives.WriteUInt16BigEndian(l4[UdpLayout.Checksum..], updated == 0 ? (ushort)0xFFFF : updated);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mask4(uint address, int length) => length == 0 ? 0u : address & (uint.MaxValue << (32 - length));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 Mask6(UInt128 address, int length) => length == 0 ? UInt128.Zero : address & (UInt128.MaxValue << (128 - length));
}
