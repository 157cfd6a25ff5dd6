using System.Buffers.Binary;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Headers;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Nodes;

/// <summary>
/// DHCPv4 responder (dpservice §2.10): DISCOVER → OFFER, REQUEST → ACK, nothing else; yiaddr = the interface IPv4,
/// server id 169.254.0.1, mask /32, infinite lease, classless routes 169.254.0.0/16 on-link and 0/0 via 169.254.0.1, MTU,
/// DNS, hostname; PXE clients (vendor class <c>PXEClient:Arch:00007</c>) get the iPXE binary over TFTP, iPXE (user class
/// <c>iPXE</c>) the HTTP URL; both get a router option and a broadcast answer. The reply is built in place in the slot.
/// </summary>
internal static class DhcpNode
{
    private const int IpStart = EthernetLayout.HeaderLength;
    private const int UdpStart = IpStart + Ipv4Layout.MinLength;
    private const int BootpStart = UdpStart + UdpLayout.HeaderLength;

    private static ReadOnlySpan<byte> PxeArch7 => "PXEClient:Arch:00007"u8;

    private static ReadOnlySpan<byte> IpxeUserClass => "iPXE"u8;

    private static ReadOnlySpan<byte> TftpBootFile => "ipxe/x86_64/ipxe.new"u8;

    private static ReadOnlySpan<byte> HttpPrefix => "http://"u8;

    /// <summary>
    /// Answers the DHCP message <paramref name="bootp"/> (the UDP payload of the frame at <paramref name="area"/>[0]).
    /// </summary>
    public static DropReason Process(Span<byte> area, ReadOnlySpan<byte> bootp, InterfaceEntry iface, EngineSettings settings, ulong portMac, out int replyLength)
    {
        replyLength = 0;
        if (iface.Ipv4 == 0)
        {
            return DropReason.DhcpIgnored;
        }

        if (bootp.Length < DhcpLayout.Options || bootp[DhcpLayout.Op] != 1 ||
            BinaryPrimitives.ReadUInt32BigEndian(bootp[DhcpLayout.MagicCookie..]) != DhcpLayout.Cookie)
        {
            return DropReason.DhcpIgnored;
        }

        byte messageType = 0;
        var pxe = false;
        var ipxe = false;
        var options = bootp[DhcpLayout.Options..];
        while (options.Length > 0 && options[0] != DhcpLayout.OptEnd)
        {
            if (options[0] == DhcpLayout.OptPad)
            {
                options = options[1..];
                continue;
            }

            if (options.Length < 2 || options.Length < 2 + options[1])
            {
                return DropReason.DhcpIgnored;
            }

            var value = options.Slice(2, options[1]);
            switch (options[0])
            {
                case DhcpLayout.OptMessageType when value.Length == 1:
                    messageType = value[0];
                    break;
                case DhcpLayout.OptVendorClass:
                    pxe |= value.IndexOf(PxeArch7) >= 0;
                    break;
                case DhcpLayout.OptUserClass:
                    ipxe |= value.IndexOf(IpxeUserClass) >= 0;
                    break;
            }

            options = options[(2 + options[1])..];
        }

        byte replyType = messageType switch
        {
            DhcpLayout.Discover => DhcpLayout.Offer,
            DhcpLayout.Request => DhcpLayout.Ack,
            _ => 0,
        };
        if (replyType == 0)
        {
            return DropReason.DhcpIgnored;
        }

        // Keep what the reply needs from the request before overwriting the slot.
        var xid = BinaryPrimitives.ReadUInt32BigEndian(bootp[DhcpLayout.TransactionId..]);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(bootp[DhcpLayout.Flags..]);
        var clientMac = Mac.Read(bootp[DhcpLayout.ClientHardware..]);
        var ethSource = Mac.Read(area[EthernetLayout.Source..]);
        var bootMode = !iface.HasPxe || iface.PxeNextServerIsIpv6 ? 0 : ipxe && settings.IpxeMode ? 2 : pxe ? 1 : 0;
        var broadcast = (flags & DhcpLayout.BroadcastFlag) != 0 || bootMode != 0;

        var reply = area[BootpStart..];
        reply[..DhcpLayout.Options].Clear();
        reply[DhcpLayout.Op] = 2;
        reply[DhcpLayout.HardwareType] = 1;
        reply[DhcpLayout.HardwareLength] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(reply[DhcpLayout.TransactionId..], xid);
        BinaryPrimitives.WriteUInt16BigEndian(reply[DhcpLayout.Flags..], flags);
        BinaryPrimitives.WriteUInt32BigEndian(reply[DhcpLayout.YourAddress..], iface.Ipv4);
        Mac.Write(reply[DhcpLayout.ClientHardware..], clientMac);
        if (bootMode == 1)
        {
            BinaryPrimitives.WriteUInt32BigEndian(reply[DhcpLayout.ServerAddress..], iface.PxeNextServer4);
            TftpBootFile.CopyTo(reply[DhcpLayout.File..]);
        }
        else if (bootMode == 2)
        {
            var file = reply.Slice(DhcpLayout.File, DhcpLayout.FileLength - 1);
            HttpPrefix.CopyTo(file);
            iface.PxeNextServerText.CopyTo(file[HttpPrefix.Length..]);
            iface.PxeBootFile.CopyTo(file[(HttpPrefix.Length + iface.PxeNextServerText.Length)..]);
        }

        BinaryPrimitives.WriteUInt32BigEndian(reply[DhcpLayout.MagicCookie..], DhcpLayout.Cookie);
        var o = reply[DhcpLayout.Options..];
        var n = 0;
        o[n++] = DhcpLayout.OptMessageType;
        o[n++] = 1;
        o[n++] = replyType;
        n = Option32(o, n, DhcpLayout.OptServerId, WellKnown.GatewayIpv4);
        n = Option32(o, n, DhcpLayout.OptLeaseTime, uint.MaxValue);
        n = Option32(o, n, DhcpLayout.OptSubnetMask, uint.MaxValue);
        if (bootMode != 0)
        {
            n = Option32(o, n, DhcpLayout.OptRouter, WellKnown.GatewayIpv4);
        }

        // RFC 3442: 169.254.0.0/16 on-link (router 0.0.0.0), then 0.0.0.0/0 via 169.254.0.1.
        o[n++] = DhcpLayout.OptClasslessRoutes;
        o[n++] = 12;
        o[n++] = 16;
        o[n++] = 169;
        o[n++] = 254;
        BinaryPrimitives.WriteUInt32BigEndian(o[n..], 0);
        n += 4;
        o[n++] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(o[n..], WellKnown.GatewayIpv4);
        n += 4;
        o[n++] = DhcpLayout.OptMtu;
        o[n++] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(o[n..], (ushort)settings.DhcpMtu);
        n += 2;
        if (settings.DhcpDns.Length > 0)
        {
            o[n++] = DhcpLayout.OptDns;
            o[n++] = (byte)(4 * settings.DhcpDns.Length);
            foreach (var dns in settings.DhcpDns)
            {
                BinaryPrimitives.WriteUInt32BigEndian(o[n..], dns);
                n += 4;
            }
        }

        if (iface.Hostname.Length > 0)
        {
            o[n++] = DhcpLayout.OptHostname;
            o[n++] = (byte)iface.Hostname.Length;
            iface.Hostname.CopyTo(o[n..]);
            n += iface.Hostname.Length;
        }

        o[n++] = DhcpLayout.OptEnd;
        var bootpLength = DhcpLayout.Options + n;
        var udpLength = UdpLayout.HeaderLength + bootpLength;
        var destination = broadcast ? uint.MaxValue : iface.Ipv4;
        PacketWriter.Ethernet(area, broadcast ? WellKnown.BroadcastMac : ethSource, portMac, EthernetLayout.TypeIpv4);
        PacketWriter.Ipv4(area[IpStart..], WellKnown.GatewayIpv4, destination, IpProtocol.Udp, Ipv4Layout.MinLength + udpLength);
        PacketWriter.Udp4(area[UdpStart..], WellKnown.GatewayIpv4, destination, DhcpLayout.ServerPort, DhcpLayout.ClientPort, udpLength);
        replyLength = UdpStart + udpLength;
        return DropReason.None;
    }

    private static int Option32(Span<byte> o, int n, byte code, uint value)
    {
        o[n] = code;
        o[n + 1] = 4;
        BinaryPrimitives.WriteUInt32BigEndian(o[(n + 2)..], value);
        return n + 6;
    }
}
