using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>What a captured frame says, parsed by hand (no kernel tunnel, no packet library).</summary>
public sealed record CapturedFrame(
    ushort EtherType,
    IPAddress? OuterSource,
    IPAddress? OuterDestination,
    byte NextHeader,
    byte HopLimit,
    IPAddress? InnerSource,
    IPAddress? InnerDestination,
    byte InnerProtocol,
    byte IcmpType)
{
    public static CapturedFrame Parse(string hex)
    {
        var d = Convert.FromHexString(hex);
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(12));
        if (etherType == 0x86dd && d.Length >= 54)
        {
            var nh = d[20];
            var outerSrc = new IPAddress(d.AsSpan(22, 16));
            var outerDst = new IPAddress(d.AsSpan(38, 16));
            var inner = d.AsSpan(54);
            if (nh == 4 && inner.Length >= 20)
            {
                var ihl = (inner[0] & 0x0f) * 4;
                var icmp = inner[9] == 1 && inner.Length > ihl ? inner[ihl] : (byte)0;
                return new(etherType, outerSrc, outerDst, nh, d[21], new IPAddress(inner.Slice(12, 4)), new IPAddress(inner.Slice(16, 4)), inner[9], icmp);
            }

            return new(etherType, outerSrc, outerDst, nh, d[21], null, null, 0, 0);
        }

        if (etherType == 0x0800 && d.Length >= 34)
        {
            var ip = d.AsSpan(14);
            var ihl = (ip[0] & 0x0f) * 4;
            var icmp = ip[9] == 1 && ip.Length > ihl ? ip[ihl] : (byte)0;
            return new(etherType, null, null, 0, 0, new IPAddress(ip.Slice(12, 4)), new IPAddress(ip.Slice(16, 4)), ip[9], icmp);
        }

        return new(etherType, null, null, 0, 0, null, null, 0, 0);
    }

    public override string ToString() =>
        $"ethertype 0x{EtherType:x4} outer {OuterSource} -> {OuterDestination} nh {NextHeader} hl {HopLimit} inner {InnerSource} -> {InnerDestination} proto {InnerProtocol} icmp {IcmpType}";
}

/// <summary>Builds underlay frames to inject on the uplink: Ethernet + IPv6 (next header 4) + IPv4 + ICMP echo.</summary>
public static class Frames
{
    public static byte[] IpipEchoRequest(
        string dstMac, string srcMac, IPAddress outerSrc, IPAddress outerDst, IPAddress innerSrc, IPAddress innerDst,
        ushort id, ushort seq)
    {
        const int icmpLen = 8 + 32;
        const int ipv4Len = 20 + icmpLen;
        var frame = new byte[14 + 40 + ipv4Len];
        var span = frame.AsSpan();
        PhysicalAddress.Parse(dstMac).GetAddressBytes().CopyTo(span);
        PhysicalAddress.Parse(srcMac).GetAddressBytes().CopyTo(span[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0x86dd);

        var v6 = span[14..];
        v6[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(v6[4..], ipv4Len);
        v6[6] = 4; // IPv4 in IPv6
        v6[7] = 64;
        outerSrc.TryWriteBytes(v6[8..], out _);
        outerDst.TryWriteBytes(v6[24..], out _);

        var v4 = span[54..];
        v4[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(v4[2..], ipv4Len);
        BinaryPrimitives.WriteUInt16BigEndian(v4[4..], id);
        v4[8] = 64;
        v4[9] = 1;
        innerSrc.TryWriteBytes(v4[12..], out _);
        innerDst.TryWriteBytes(v4[16..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(v4[10..], Checksum(v4[..20]));

        var icmp = v4[20..];
        icmp[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], seq);
        for (var i = 8; i < icmpLen; i++)
        {
            icmp[i] = (byte)i;
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp[..icmpLen]));
        return frame;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)(data[^1] << 8);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
