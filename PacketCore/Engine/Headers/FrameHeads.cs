using System.Runtime.InteropServices;

namespace IronOrleans.PacketCore.Headers;

/// <summary>
/// The first 42 bytes of an Ethernet + IPv4 (no options) + TCP/UDP frame as one overlay, in network byte order: the
/// established-flow fast path checks the frame length once (<see cref="MemoryMarshal.AsRef{T}(Span{byte})"/>) and then
/// reads and writes fields without a bounds check each.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Length)]
internal struct Ipv4FrameHead
{
    public const int Length = EthernetLayout.HeaderLength + Ipv4Layout.MinLength + UdpLayout.HeaderLength;

    [FieldOffset(EthernetLayout.Source)] public ushort SourceHigh;
    [FieldOffset(EthernetLayout.Source + 2)] public uint SourceLow;
    [FieldOffset(EthernetLayout.EtherType)] public ushort EtherType;

    private const int Ip = EthernetLayout.HeaderLength;
    [FieldOffset(Ip + Ipv4Layout.VersionIhl)] public byte VersionIhl;
    [FieldOffset(Ip + Ipv4Layout.TotalLength)] public ushort TotalLength;
    [FieldOffset(Ip + Ipv4Layout.FlagsFragment)] public ushort FlagsFragment;
    [FieldOffset(Ip + Ipv4Layout.Ttl)] public byte Ttl;
    [FieldOffset(Ip + Ipv4Layout.Protocol)] public byte Protocol;
    [FieldOffset(Ip + Ipv4Layout.Checksum)] public ushort Checksum;
    [FieldOffset(Ip + Ipv4Layout.Source)] public uint Source;
    [FieldOffset(Ip + Ipv4Layout.Destination)] public uint Destination;

    /// <summary>Source and destination address together, as raw bytes (for comparing two packets' addresses at once).</summary>
    [FieldOffset(Ip + Ipv4Layout.Source)] public ulong Addresses;

    /// <summary>TCP/UDP source port (high 16 bits) and destination port (low 16 bits) once byte-swapped.</summary>
    [FieldOffset(Ip + Ipv4Layout.MinLength)] public uint Ports;
}

/// <summary>
/// The outer Ethernet + IPv6 header of IP-in-IPv6 (54 bytes) as one value, so a train copies a whole written header at
/// once; only the payload length differs between its packets.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Length)]
internal struct TunnelHead
{
    public const int Length = EthernetLayout.HeaderLength + Ipv6Layout.Length;

    /// <summary>The IPv6 payload length, in network byte order.</summary>
    [FieldOffset(EthernetLayout.HeaderLength + Ipv6Layout.PayloadLength)] public ushort PayloadLength;
}

/// <summary>Header constants as they appear in memory on a little-endian machine (network byte order), for the overlays.</summary>
internal static class NetworkOrder
{
    public static readonly ushort TypeIpv4 = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(EthernetLayout.TypeIpv4);
    public static readonly ushort FragmentMask = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Ipv4Layout.FragmentMask);
}
