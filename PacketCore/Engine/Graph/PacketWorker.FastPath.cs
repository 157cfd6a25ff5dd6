using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Headers;
using IronOrleans.PacketCore.Io;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Graph;

/// <summary>
/// The established-flow fast path: an IPv4 TCP/UDP packet from a VM whose flow already exists and already has a route
/// for the current snapshot is forwarded from the frame bytes and the flow entry alone, without the classifier's
/// metadata or the general forwarding node. It commits only when the general path would do exactly the same; anything
/// else (new flow, changed tables or NAT configuration, options, fragments, TTL 1, NAT rewrite, DHCP, hairpin,
/// unresolved router, tracing on) returns false before touching any state, and the packet takes the general path.
/// </summary>
/// <remarks>
/// Packets of one flow arrive in trains (a TCP window, a burst from one socket). When the next packet of a burst has the
/// addresses, ports and protocol of the one just forwarded, it rides the same train: it reuses that packet's flow entry
/// and the Ethernet (local) or Ethernet + IPv6 (tunnel) header written into that packet's frame, instead of building the
/// key, looking it up and writing the header again. Within one burst nothing can change the snapshot, the flow table or
/// a next hop's MAC (only the packet loop itself does, and it is here), so the first packet's checks hold for the train.
/// </remarks>
internal sealed partial class PacketWorker
{
    /// <summary>The TCP flags that change a flow's state; such packets never reuse a train.</summary>
    private const byte TcpStateFlags = TcpLayout.Syn | TcpLayout.Fin | TcpLayout.Rst;

    /// <summary>
    /// Forwards the packets of a VM port's burst from <paramref name="first"/> on through the fast path, in order, and
    /// returns the first slot it did not handle. The caller runs that packet through the general loop and then comes
    /// back, so packet order within the burst is kept.
    /// </summary>
    private int ForwardTrains(DataPlaneSnapshot snapshot, InterfaceEntry iface, int port, int first, int received, long now)
    {
        var batch = _batch;
        var slab = batch.Slab;
        var frames = batch.Frames;
        var txSlots = _txSlots;
        var txCount = _txCount;
        var portMac = _peerMacs[port];
        var delivered = 0;
        var encapsulated = 0;
        var slot = first;
        while (slot < received)
        {
            // A packet that is not the current train (or the first one): the per-packet fast path, which on success
            // makes its flow the port's train; else the general loop takes it.
            var frame = batch.Frame(slot);
            LearnPeerMac(port, frame);
            if (!TryForwardEstablished(snapshot, iface, port, frame, slot, now, out var target, out var train))
            {
                break;
            }

            txSlots[target][txCount[target]++] = (ushort)slot;
            var previous = slot++;
            if (slot == received || !RidesTrain(slab, frames, slot, in train))
            {
                continue;
            }

            portMac = _peerMacs[port];

            // The flow is live (LastSeen = now) and its route current: both hold for every packet of the train.
            var addresses = train.Addresses;
            var ports = train.Ports;
            var protocol = train.Protocol;
            var outPort = train.OutPort;
            ref var flow = ref _flows.Entry(train.Flow);
            var isReply = train.IsReply;

            // The header the first packet of the train got is at the start of its frame: reuse it for the rest (the
            // whole tunnel header, or the 12 bytes of Ethernet addresses).
            var remembered = slab.Slice((previous * FrameBatch.SlotSize) + FrameBatch.OffsetOfPacked(frames[previous]),
                FrameBatch.LengthOfPacked(frames[previous]));
            var tunnelHead = outPort == 0 ? MemoryMarshal.Read<TunnelHead>(remembered) : default;
            var macs = MemoryMarshal.Read<ulong>(remembered);
            var macsTail = MemoryMarshal.Read<uint>(remembered[sizeof(ulong)..]);

            var minimum = Ipv4Layout.MinLength + (protocol == IpProtocol.Tcp ? TcpLayout.MinLength : UdpLayout.HeaderLength);
            Span<ushort> outSlots = txSlots[outPort];
            var queued = txCount[outPort];
            for (; slot < received; slot++)
            {
                var packed = frames[slot];
                var offset = FrameBatch.OffsetOfPacked(packed);
                var length = FrameBatch.LengthOfPacked(packed);
                frame = slab.Slice((slot * FrameBatch.SlotSize) + offset, length);
                if (length < Ipv4FrameHead.Length)
                {
                    break;
                }

                ref var head = ref MemoryMarshal.AsRef<Ipv4FrameHead>(frame);
                var total = BinaryPrimitives.ReverseEndianness(head.TotalLength);
                var ttl = head.Ttl;
                if (head.Addresses != addresses || head.Ports != ports || head.Protocol != protocol || head.EtherType != NetworkOrder.TypeIpv4
                    || head.VersionIhl != 0x45 || total > length - EthernetLayout.HeaderLength || total < minimum || ttl <= 1
                    || (head.FlagsFragment & NetworkOrder.FragmentMask) != 0 || SourceMac(ref head) != portMac)
                {
                    break;
                }

                if (protocol == IpProtocol.Tcp)
                {
                    var flags = frame[EthernetLayout.HeaderLength + Ipv4Layout.MinLength + TcpLayout.Flags];
                    if ((flags & TcpStateFlags) != 0)
                    {
                        break;
                    }

                    FlowTable.TrackTcp(ref flow, flags, isReply);
                }

                DecrementTtl(ref head, ttl);
                if (outPort != 0)
                {
                    // The 12 bytes of Ethernet addresses toward the target VM.
                    MemoryMarshal.Write(frame, in macs);
                    MemoryMarshal.Write(frame[sizeof(ulong)..], in macsTail);
                    delivered++;
                }
                else
                {
                    // IP-in-IPv6: the outer headers go into the headroom, replacing the inner Ethernet header.
                    offset -= Ipv6Layout.Length;
                    frames[slot] = FrameBatch.Pack(offset, TunnelHead.Length + total);
                    ref var outer = ref MemoryMarshal.AsRef<TunnelHead>(slab.Slice((slot * FrameBatch.SlotSize) + offset, TunnelHead.Length));
                    outer = tunnelHead;
                    outer.PayloadLength = BinaryPrimitives.ReverseEndianness(total);
                    encapsulated++;
                }

                outSlots[queued++] = (ushort)slot;
            }

            txCount[outPort] = queued;
        }

        Counters.Add(PacketCounter.LocalDelivered, delivered);
        Counters.Add(PacketCounter.Encapsulated, encapsulated);
        Counters.Add(PacketCounter.FastPath, delivered + encapsulated);
        return slot;
    }

    /// <summary>Whether the packet in <paramref name="slot"/> has the addresses, ports and protocol of <paramref name="train"/>.</summary>
    private static bool RidesTrain(Span<byte> slab, Span<int> frames, int slot, in FlowTrain train)
    {
        var length = FrameBatch.LengthOfPacked(frames[slot]);
        if (length < Ipv4FrameHead.Length)
        {
            return false;
        }

        ref var head = ref MemoryMarshal.AsRef<Ipv4FrameHead>(slab.Slice((slot * FrameBatch.SlotSize) + FrameBatch.OffsetOfPacked(frames[slot]), length));
        return train.Addresses == head.Addresses && train.Ports == head.Ports && train.Protocol == head.Protocol;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SourceMac(ref Ipv4FrameHead head)
        => ((ulong)BinaryPrimitives.ReverseEndianness(head.SourceHigh) << 32) | BinaryPrimitives.ReverseEndianness(head.SourceLow);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryForwardEstablished(
        DataPlaneSnapshot snapshot, InterfaceEntry iface, int port, Span<byte> frame, int slot, long now, out int outPort, out FlowTrain train)
    {
        outPort = 0;
        train = default;
        if (frame.Length < Ipv4FrameHead.Length || iface.Ipv4 == 0)
        {
            return false;
        }

        ref var head = ref MemoryMarshal.AsRef<Ipv4FrameHead>(frame);
        var total = BinaryPrimitives.ReverseEndianness(head.TotalLength);
        var ttl = head.Ttl;
        var protocol = head.Protocol;
        if (head.EtherType != NetworkOrder.TypeIpv4 || head.VersionIhl != 0x45 || total > frame.Length - EthernetLayout.HeaderLength
            || ttl <= 1 || (head.FlagsFragment & NetworkOrder.FragmentMask) != 0)
        {
            return false;
        }

        byte tcpFlags = 0;
        if (protocol == IpProtocol.Udp)
        {
            if (total < Ipv4Layout.MinLength + UdpLayout.HeaderLength)
            {
                return false;
            }
        }
        else if (protocol == IpProtocol.Tcp && total >= Ipv4Layout.MinLength + TcpLayout.MinLength)
        {
            tcpFlags = frame[EthernetLayout.HeaderLength + Ipv4Layout.MinLength + TcpLayout.Flags];
        }
        else
        {
            return false;
        }

        // Source and destination port are the first four bytes of both TCP and UDP: the key's low 32 bits as they stand.
        var ports = BinaryPrimitives.ReverseEndianness(head.Ports);
        if (protocol == IpProtocol.Udp && (ushort)ports == DhcpLayout.ServerPort)
        {
            return false;
        }

        var key = new FlowKey
        {
            SourceLow = BinaryPrimitives.ReverseEndianness(head.Source),
            DestinationLow = BinaryPrimitives.ReverseEndianness(head.Destination),
            VniPorts = ((ulong)iface.Vni << 32) | ports,
            ProtocolFamily = protocol,
        };
        var index = _flows.LookupIndexed(in key, now, out var isReply);
        if (index < 0)
        {
            return false;
        }

        ref var entry = ref _flows.Entry(index);
        var rewrite = isReply ? FlowFlags.DestinationNat : FlowFlags.SourceNat;
        // As in Forward: a route cached for this snapshot is used as is (a NAT change always comes with a new snapshot).
        if ((isReply ? entry.ReplyVersion : entry.OriginalVersion) != snapshot.Version || (entry.Flags & rewrite) != 0)
        {
            return false;
        }

        var route = isReply ? entry.ReplyRoute : entry.OriginalRoute;
        var target = route.PortIndex;
        var local = route.Kind == RouteKind.Local;
        if (local ? target == port || target == 0 : _routerMac == 0)
        {
            return false;
        }

        // Commit: from here on this is exactly what Forward does for the same packet (the checks above are the ones
        // DeliverLocal and Encapsulate would drop on, so both forward).
        entry.LastSeen = now;
        if (protocol == IpProtocol.Tcp)
        {
            FlowTable.TrackTcp(ref entry, tcpFlags, isReply);
        }

        DecrementTtl(ref head, ttl);
        _ = local
            ? DeliverLocal(port, frame, target, EthernetLayout.TypeIpv4, out outPort)
            : Encapsulate(slot, iface.Underlay, route.NextHop, IpProtocol.IpInIp, total, out outPort);
        Counters.Count(PacketCounter.FastPath);

        // What the rest of the train needs (the header stays in this packet's frame until the burst is sent).
        train = new FlowTrain
        {
            Addresses = head.Addresses,
            Ports = head.Ports,
            Protocol = protocol,
            Flow = index,
            IsReply = isReply,
            OutPort = outPort,
        };
        return true;
    }

    /// <summary>TTL − 1 and the RFC 1624 update of the header checksum, whose ~m + m' term is the constant 0xFEFF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecrementTtl(ref Ipv4FrameHead head, byte ttl)
    {
        head.Ttl = (byte)(ttl - 1);
        var sum = (uint)(ushort)~BinaryPrimitives.ReverseEndianness(head.Checksum) + 0xFEFFu;
        sum = (sum & 0xFFFF) + (sum >> 16);
        head.Checksum = BinaryPrimitives.ReverseEndianness((ushort)~sum);
    }

    /// <summary>The flow a packet was just forwarded on, and what the next packets of the same flow in the burst need.</summary>
    private struct FlowTrain
    {
        /// <summary>Raw source and destination address and raw ports of the flow's packets, as they appear in the frame.</summary>
        public ulong Addresses;
        public uint Ports;
        public byte Protocol;
        public bool IsReply;
        public int Flow;

        /// <summary>0 = the uplink (a tunnel header to reuse), else the local VM port (Ethernet addresses to reuse).</summary>
        public int OutPort;
    }
}
