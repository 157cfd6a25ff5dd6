using System.Buffers.Binary;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Headers;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Nodes;

/// <summary>
/// DHCPv6 responder (dpservice §2.10): from fe80::1 with a DUID-LL server id (hardware type 0xabcd, the port MAC);
/// SOLICIT → ADVERTISE, REQUEST and RELEASE → REPLY with IA_NA = the interface IPv6 (T1/T2 and lifetimes infinite),
/// CONFIRM → REPLY without options; DNS servers and the PXE boot-file URL (option 59) when configured. Without an
/// interface IPv6, SOLICIT/REQUEST get a REPLY with status NoAddrsAvail and everything else is dropped.
/// </summary>
internal static class Dhcpv6Node
{
    private const int IpStart = EthernetLayout.HeaderLength;
    private const int UdpStart = IpStart + Ipv6Layout.Length;
    private const int MessageStart = UdpStart + UdpLayout.HeaderLength;
    private const int MaxClientIdLength = 130;

    private static ReadOnlySpan<byte> IpxeUserClass => "iPXE"u8;

    private static ReadOnlySpan<byte> TftpPrefix => "tftp://["u8;

    private static ReadOnlySpan<byte> HttpPrefix => "http://["u8;

    private static ReadOnlySpan<byte> TftpBootFile => "]/ipxe/x86_64/ipxe.new"u8;

    public static DropReason Process(Span<byte> area, ReadOnlySpan<byte> message, InterfaceEntry iface, EngineSettings settings, ulong portMac, out int replyLength)
    {
        replyLength = 0;
        if (message.Length < Dhcpv6Layout.Options)
        {
            return DropReason.Dhcpv6Ignored;
        }

        var type = message[Dhcpv6Layout.MessageType];
        var hasAddress = iface.Ipv6 != UInt128.Zero;
        byte replyType = type switch
        {
            Dhcpv6Layout.Solicit => hasAddress ? Dhcpv6Layout.Advertise : Dhcpv6Layout.Reply,
            Dhcpv6Layout.Request => Dhcpv6Layout.Reply,
            Dhcpv6Layout.Release or Dhcpv6Layout.Confirm when hasAddress => Dhcpv6Layout.Reply,
            _ => 0,
        };
        if (replyType == 0)
        {
            return DropReason.Dhcpv6Ignored;
        }

        // Collect the request's client id and IAID before the slot is overwritten.
        Span<byte> clientId = stackalloc byte[MaxClientIdLength];
        var clientIdLength = -1;
        uint iaid = 0;
        var ipxe = false;
        var options = message[Dhcpv6Layout.Options..];
        while (options.Length >= 4)
        {
            var code = BinaryPrimitives.ReadUInt16BigEndian(options);
            var length = BinaryPrimitives.ReadUInt16BigEndian(options[2..]);
            if (options.Length < 4 + length)
            {
                return DropReason.Dhcpv6Ignored;
            }

            var value = options.Slice(4, length);
            switch (code)
            {
                case Dhcpv6Layout.OptClientId when length <= MaxClientIdLength:
                    value.CopyTo(clientId);
                    clientIdLength = length;
                    break;
                case Dhcpv6Layout.OptIaNa when length >= 12:
                    iaid = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case Dhcpv6Layout.OptUserClass:
                    ipxe |= value.IndexOf(IpxeUserClass) >= 0;
                    break;
            }

            options = options[(4 + length)..];
        }

        if (clientIdLength < 0)
        {
            return DropReason.Dhcpv6Ignored;
        }

        var transaction = BinaryPrimitives.ReadUInt32BigEndian(message) & 0xFF_FFFF;
        var ethDestination = Mac.Read(area[EthernetLayout.Source..]);
        var destination = BinaryPrimitives.ReadUInt128BigEndian(area[(IpStart + Ipv6Layout.Source)..]);

        var o = area[MessageStart..];
        BinaryPrimitives.WriteUInt32BigEndian(o, ((uint)replyType << 24) | transaction);
        var n = Dhcpv6Layout.Options;
        if (type != Dhcpv6Layout.Confirm)
        {
            n = OptionHeader(o, n, Dhcpv6Layout.OptServerId, 10);
            BinaryPrimitives.WriteUInt16BigEndian(o[n..], 3);
            BinaryPrimitives.WriteUInt16BigEndian(o[(n + 2)..], Dhcpv6Layout.DuidHardwareType);
            Mac.Write(o[(n + 4)..], portMac);
            n += 10;
            n = OptionHeader(o, n, Dhcpv6Layout.OptClientId, clientIdLength);
            clientId[..clientIdLength].CopyTo(o[n..]);
            n += clientIdLength;
            if (hasAddress)
            {
                n = OptionHeader(o, n, Dhcpv6Layout.OptIaNa, 12 + 28);
                BinaryPrimitives.WriteUInt32BigEndian(o[n..], iaid);
                BinaryPrimitives.WriteUInt32BigEndian(o[(n + 4)..], uint.MaxValue);
                BinaryPrimitives.WriteUInt32BigEndian(o[(n + 8)..], uint.MaxValue);
                n += 12;
                n = OptionHeader(o, n, Dhcpv6Layout.OptIaAddr, 24);
                BinaryPrimitives.WriteUInt128BigEndian(o[n..], iface.Ipv6);
                BinaryPrimitives.WriteUInt32BigEndian(o[(n + 16)..], uint.MaxValue);
                BinaryPrimitives.WriteUInt32BigEndian(o[(n + 20)..], uint.MaxValue);
                n += 24;
                if (settings.Dhcpv6Dns.Length > 0)
                {
                    n = OptionHeader(o, n, Dhcpv6Layout.OptDnsServers, 16 * settings.Dhcpv6Dns.Length);
                    foreach (var dns in settings.Dhcpv6Dns)
                    {
                        BinaryPrimitives.WriteUInt128BigEndian(o[n..], dns);
                        n += 16;
                    }
                }

                if (iface.HasPxe && iface.PxeNextServerIsIpv6)
                {
                    var http = ipxe && settings.IpxeMode;
                    var prefix = http ? HttpPrefix : TftpPrefix;
                    var suffixLength = http ? 1 + iface.PxeBootFile.Length : TftpBootFile.Length;
                    var urlLength = prefix.Length + iface.PxeNextServerText.Length + suffixLength;
                    n = OptionHeader(o, n, Dhcpv6Layout.OptBootFileUrl, urlLength);
                    prefix.CopyTo(o[n..]);
                    n += prefix.Length;
                    iface.PxeNextServerText.CopyTo(o[n..]);
                    n += iface.PxeNextServerText.Length;
                    if (http)
                    {
                        o[n++] = (byte)']';
                        iface.PxeBootFile.CopyTo(o[n..]);
                        n += iface.PxeBootFile.Length;
                    }
                    else
                    {
                        TftpBootFile.CopyTo(o[n..]);
                        n += TftpBootFile.Length;
                    }
                }
            }
            else
            {
                n = OptionHeader(o, n, Dhcpv6Layout.OptStatusCode, 2);
                BinaryPrimitives.WriteUInt16BigEndian(o[n..], Dhcpv6Layout.StatusNoAddrsAvail);
                n += 2;
            }
        }

        var udpLength = UdpLayout.HeaderLength + n;
        PacketWriter.Ethernet(area, ethDestination, portMac, EthernetLayout.TypeIpv6);
        PacketWriter.Ipv6(area[IpStart..], WellKnown.GatewayIpv6, destination, IpProtocol.Udp, udpLength, 255);
        PacketWriter.Udp6(area[IpStart..], Dhcpv6Layout.ServerPort, Dhcpv6Layout.ClientPort, udpLength);
        replyLength = UdpStart + udpLength;
        return DropReason.None;
    }

    private static int OptionHeader(Span<byte> o, int n, ushort code, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(o[n..], code);
        BinaryPrimitives.WriteUInt16BigEndian(o[(n + 2)..], (ushort)length);
        return n + 4;
    }
}
