using System.Buffers.Binary;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Headers;

namespace IronOrleans.PacketCore.Nodes;

/// <summary>
/// ARP toward VMs (dpservice §2.10): answers only requests for the gateway 169.254.0.1 with the port's MAC, in place.
/// Replies from the VM are consumed (the VM MAC is learned from every frame's source anyway).
/// </summary>
internal static class ArpNode
{
    /// <summary>Turns a gateway request in <paramref name="frame"/> into the reply; otherwise returns the drop reason.</summary>
    public static DropReason Process(Span<byte> frame, ulong portMac)
    {
        if (frame.Length < EthernetLayout.HeaderLength + ArpLayout.Length)
        {
            return DropReason.Malformed;
        }

        var arp = frame[EthernetLayout.HeaderLength..];
        if (BinaryPrimitives.ReadUInt16BigEndian(arp[ArpLayout.HardwareType..]) != 1 ||
            BinaryPrimitives.ReadUInt16BigEndian(arp[ArpLayout.ProtocolType..]) != EthernetLayout.TypeIpv4 ||
            arp[ArpLayout.HardwareLength] != 6 || arp[ArpLayout.ProtocolLength] != 4)
        {
            return DropReason.Malformed;
        }

        var op = BinaryPrimitives.ReadUInt16BigEndian(arp[ArpLayout.Operation..]);
        if (op == ArpLayout.OpReply)
        {
            return DropReason.Consumed;
        }

        if (op != ArpLayout.OpRequest || BinaryPrimitives.ReadUInt32BigEndian(arp[ArpLayout.TargetProtocol..]) != WellKnown.GatewayIpv4)
        {
            return DropReason.ArpNotForGateway;
        }

        var requesterMac = Mac.Read(arp[ArpLayout.SenderHardware..]);
        var requesterIp = BinaryPrimitives.ReadUInt32BigEndian(arp[ArpLayout.SenderProtocol..]);
        Mac.Write(frame[EthernetLayout.Destination..], requesterMac);
        Mac.Write(frame[EthernetLayout.Source..], portMac);
        BinaryPrimitives.WriteUInt16BigEndian(arp[ArpLayout.Operation..], ArpLayout.OpReply);
        Mac.Write(arp[ArpLayout.SenderHardware..], portMac);
        BinaryPrimitives.WriteUInt32BigEndian(arp[ArpLayout.SenderProtocol..], WellKnown.GatewayIpv4);
        Mac.Write(arp[ArpLayout.TargetHardware..], requesterMac);
        BinaryPrimitives.WriteUInt32BigEndian(arp[ArpLayout.TargetProtocol..], requesterIp);
        return DropReason.None;
    }

    /// <summary>Length of a generated ARP frame without Ethernet padding.</summary>
    public const int FrameLength = EthernetLayout.HeaderLength + ArpLayout.Length;

    /// <summary>Writes a gratuitous ARP for the gateway 169.254.0.1 (the periodic announcement toward a VM).</summary>
    public static int WriteGratuitous(Span<byte> frame, ulong portMac)
    {
        Mac.Write(frame[EthernetLayout.Destination..], WellKnown.BroadcastMac);
        Mac.Write(frame[EthernetLayout.Source..], portMac);
        BinaryPrimitives.WriteUInt16BigEndian(frame[EthernetLayout.EtherType..], EthernetLayout.TypeArp);
        var arp = frame[EthernetLayout.HeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(arp[ArpLayout.HardwareType..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[ArpLayout.ProtocolType..], EthernetLayout.TypeIpv4);
        arp[ArpLayout.HardwareLength] = 6;
        arp[ArpLayout.ProtocolLength] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[ArpLayout.Operation..], ArpLayout.OpRequest);
        Mac.Write(arp[ArpLayout.SenderHardware..], portMac);
        BinaryPrimitives.WriteUInt32BigEndian(arp[ArpLayout.SenderProtocol..], WellKnown.GatewayIpv4);
        Mac.Write(arp[ArpLayout.TargetHardware..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(arp[ArpLayout.TargetProtocol..], WellKnown.GatewayIpv4);
        return FrameLength;
    }
}
