using Google.Protobuf;
using Google.Protobuf.Reflection;
using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>
/// The wire contract of reference/dpservice.md §1.3-§1.5 checked against the compiled descriptor (every message,
/// field number and type, enum value, RPC) and against raw bytes on a real socket.
/// </summary>
public sealed class WireFormatTests
{
    // message: field=number:type ... (types: b=bytes u=uint32 U=uint64 i=int32 s=string m=message e=enum o=bool; * = repeated)
    private const string Messages = """
        Empty:
        Status: code=1:u message=2:s
        IpAddress: ipver=1:e address=2:b
        Prefix: ip=1:m length=2:u underlay_route=3:b
        Interface: id=1:b vni=2:u primary_ipv4=3:b primary_ipv6=4:b underlay_route=5:b pci_name=6:s meteringParams=7:m hostname=8:s
        IpConfig: primary_address=1:b
        PxeConfig: next_server=1:s boot_filename=2:s
        VirtualFunction: name=1:s domain=2:u bus=3:u slot=4:u function=5:u
        LbPort: port=1:u protocol=2:e
        NatEntry: nat_ip=1:m min_port=2:u max_port=3:u underlay_route=4:b vni=5:u actual_nat_ip=6:m
        Route: prefix=1:m nexthop_vni=2:u nexthop_address=3:m weight=4:u
        Loadbalancer: id=1:b vni=2:u ip=3:m ports=4:m* underlay_route=5:b
        IcmpFilter: icmp_type=1:i icmp_code=2:i
        TcpFilter: src_port_lower=1:i src_port_upper=2:i dst_port_lower=3:i dst_port_upper=4:i
        UdpFilter: src_port_lower=1:i src_port_upper=2:i dst_port_lower=3:i dst_port_upper=4:i
        ProtocolFilter: icmp=1:m tcp=2:m udp=3:m
        MeteringParams: total_rate=1:U public_rate=2:U
        FirewallRule: id=1:b direction=2:e action=3:e priority=4:u source_prefix=5:m destination_prefix=6:m protocol_filter=7:m
        CapturedInterface: interface_type=1:e filter=2:b vf_name=3:b pf_index=4:u
        CaptureConfig: sink_node_ip=1:m udp_src_port=2:u udp_dst_port=3:u interfaces=4:m*
        CheckInitializedRequest:
        CheckInitializedResponse: status=1:m uuid=2:s
        InitializeRequest:
        InitializeResponse: status=1:m uuid=2:s
        GetVersionRequest: client_protocol=1:s client_name=2:s client_version=3:s
        GetVersionResponse: status=1:m service_protocol=2:s service_version=3:s
        ListInterfacesRequest:
        ListInterfacesResponse: status=1:m interfaces=2:m*
        GetInterfaceRequest: interface_id=1:b
        GetInterfaceResponse: status=1:m interface=2:m
        CreateInterfaceRequest: interface_type=1:e interface_id=2:b vni=3:u ipv4_config=4:m ipv6_config=5:m pxe_config=6:m device_name=7:s metering_parameters=8:m preferred_underlay_route=9:b hostname=10:s
        CreateInterfaceResponse: status=1:m underlay_route=2:b vf=3:m
        DeleteInterfaceRequest: interface_id=1:b
        DeleteInterfaceResponse: status=1:m
        ListPrefixesRequest: interface_id=1:b
        ListPrefixesResponse: status=1:m prefixes=2:m*
        CreatePrefixRequest: interface_id=1:b prefix=2:m preferred_underlay_route=3:b
        CreatePrefixResponse: status=1:m underlay_route=2:b
        DeletePrefixRequest: interface_id=1:b prefix=2:m
        DeletePrefixResponse: status=1:m
        ListLoadBalancerPrefixesRequest: interface_id=1:b
        ListLoadBalancerPrefixesResponse: status=1:m prefixes=2:m*
        CreateLoadBalancerPrefixRequest: interface_id=1:b prefix=2:m preferred_underlay_route=3:b
        CreateLoadBalancerPrefixResponse: status=1:m underlay_route=2:b
        DeleteLoadBalancerPrefixRequest: interface_id=1:b prefix=2:m
        DeleteLoadBalancerPrefixResponse: status=1:m
        CreateVipRequest: interface_id=1:b vip_ip=2:m preferred_underlay_route=3:b
        CreateVipResponse: status=1:m underlay_route=2:b
        GetVipRequest: interface_id=1:b
        GetVipResponse: status=1:m vip_ip=2:m underlay_route=3:b
        DeleteVipRequest: interface_id=1:b
        DeleteVipResponse: status=1:m
        CreateLoadBalancerRequest: loadbalancer_id=1:b loadbalanced_ip=2:m vni=3:u loadbalanced_ports=4:m* preferred_underlay_route=5:b
        CreateLoadBalancerResponse: status=1:m underlay_route=2:b
        GetLoadBalancerRequest: loadbalancer_id=1:b
        GetLoadBalancerResponse: status=1:m loadbalanced_ip=2:m vni=3:u loadbalanced_ports=4:m* underlay_route=5:b
        DeleteLoadBalancerRequest: loadbalancer_id=1:b
        DeleteLoadBalancerResponse: status=1:m
        ListLoadBalancersRequest:
        ListLoadBalancersResponse: status=1:m loadbalancers=2:m*
        CreateLoadBalancerTargetRequest: loadbalancer_id=1:b target_ip=2:m
        CreateLoadBalancerTargetResponse: status=1:m
        ListLoadBalancerTargetsRequest: loadbalancer_id=1:b
        ListLoadBalancerTargetsResponse: status=1:m target_ips=2:m*
        DeleteLoadBalancerTargetRequest: loadbalancer_id=1:b target_ip=2:m
        DeleteLoadBalancerTargetResponse: status=1:m
        CreateNatRequest: interface_id=1:b nat_ip=2:m min_port=3:u max_port=4:u preferred_underlay_route=5:b
        CreateNatResponse: status=1:m underlay_route=2:b
        GetNatRequest: interface_id=1:b
        GetNatResponse: status=1:m nat_ip=2:m min_port=3:u max_port=4:u underlay_route=5:b
        DeleteNatRequest: interface_id=1:b
        DeleteNatResponse: status=1:m
        CreateNeighborNatRequest: nat_ip=1:m vni=2:u min_port=3:u max_port=4:u underlay_route=5:b
        CreateNeighborNatResponse: status=1:m
        DeleteNeighborNatRequest: nat_ip=1:m vni=2:u min_port=3:u max_port=4:u
        DeleteNeighborNatResponse: status=1:m
        ListLocalNatsRequest: nat_ip=1:m
        ListLocalNatsResponse: status=1:m nat_entries=2:m*
        ListNeighborNatsRequest: nat_ip=1:m
        ListNeighborNatsResponse: status=1:m nat_entries=2:m*
        ListRoutesRequest: vni=1:u
        ListRoutesResponse: status=1:m routes=2:m*
        CreateRouteRequest: vni=1:u route=2:m
        CreateRouteResponse: status=1:m
        DeleteRouteRequest: vni=1:u route=2:m
        DeleteRouteResponse: status=1:m
        CheckVniInUseRequest: vni=1:u type=2:e
        CheckVniInUseResponse: status=1:m in_use=2:o
        ResetVniRequest: vni=1:u type=2:e
        ResetVniResponse: status=1:m
        ListFirewallRulesRequest: interface_id=1:b
        ListFirewallRulesResponse: status=1:m rules=2:m*
        CreateFirewallRuleRequest: interface_id=1:b rule=2:m
        CreateFirewallRuleResponse: status=1:m rule_id=2:b
        GetFirewallRuleRequest: interface_id=1:b rule_id=2:b
        GetFirewallRuleResponse: status=1:m rule=2:m
        DeleteFirewallRuleRequest: interface_id=1:b rule_id=2:b
        DeleteFirewallRuleResponse: status=1:m
        CaptureStartRequest: capture_config=1:m
        CaptureStartResponse: status=1:m
        CaptureStopRequest:
        CaptureStopResponse: status=1:m stopped_interface_cnt=2:u
        CaptureStatusRequest:
        CaptureStatusResponse: status=1:m is_active=2:o capture_config=3:m
        """;

    private const string Enums = """
        InterfaceType: VIRTUAL=0 BAREMETAL=1
        IpVersion: IPV4=0 IPV6=1
        Protocol: UNDEFINED=0 ICMP=1 TCP=6 UDP=17 ICMPV6=58 SCTP=132
        TrafficDirection: INGRESS=0 EGRESS=1
        FirewallAction: DROP=0 ACCEPT=1
        VniType: VNI_IPV4=0 VNI_IPV6=1 VNI_BOTH=2
        CaptureInterfaceType: SINGLE_PF=0 SINGLE_VF=1
        """;

    private static readonly Dictionary<char, FieldType> Types = new()
    {
        ['b'] = FieldType.Bytes, ['u'] = FieldType.UInt32, ['U'] = FieldType.UInt64, ['i'] = FieldType.Int32,
        ['s'] = FieldType.String, ['m'] = FieldType.Message, ['e'] = FieldType.Enum, ['o'] = FieldType.Bool,
    };

    [Fact]
    public void Every_message_has_dpservices_names_numbers_and_types()
    {
        var file = DpdkReflection.Descriptor;
        Assert.Equal("dpdkironcore.v1", file.Package);
        var expected = Messages.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(expected.Length, file.MessageTypes.Count);
        foreach (var line in expected)
        {
            var name = line[..line.IndexOf(':', StringComparison.Ordinal)];
            var message = file.MessageTypes.SingleOrDefault(m => m.Name == name);
            Assert.True(message is not null, $"message {name} missing");
            var fields = line[(name.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(fields.Length == message!.Fields.InDeclarationOrder().Count, $"{name}: field count");
            foreach (var f in fields)
            {
                var fieldName = f[..f.IndexOf('=', StringComparison.Ordinal)];
                var number = int.Parse(f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..f.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
                var type = Types[f[f.IndexOf(':', StringComparison.Ordinal) + 1]];
                var field = message.FindFieldByName(fieldName);
                Assert.True(field is not null, $"{name}.{fieldName} missing");
                Assert.True(field!.FieldNumber == number, $"{name}.{fieldName}: number {field.FieldNumber}, expected {number}");
                Assert.True(field.FieldType == type, $"{name}.{fieldName}: type {field.FieldType}, expected {type}");
                Assert.True(field.IsRepeated == f.EndsWith('*'), $"{name}.{fieldName}: repeated");
            }
        }
    }

    [Fact]
    public void Every_enum_has_dpservices_values_and_the_service_has_42_unary_rpcs()
    {
        var file = DpdkReflection.Descriptor;
        foreach (var line in Enums.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line[..line.IndexOf(':', StringComparison.Ordinal)];
            var e = file.EnumTypes.Single(x => x.Name == name);
            var values = line[(name.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(values.Length, e.Values.Count);
            foreach (var v in values)
            {
                var parts = v.Split('=');
                Assert.Equal(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), e.FindValueByName(parts[0]).Number);
            }
        }

        var service = Assert.Single(file.Services);
        Assert.Equal("dpdkironcore.v1.DPDKironcore", service.FullName);
        Assert.Equal(42, service.Methods.Count);
        Assert.All(service.Methods, m =>
        {
            Assert.False(m.IsClientStreaming || m.IsServerStreaming);
            Assert.Equal(m.Name + "Request", m.InputType.Name);
            Assert.Equal(m.Name + "Response", m.OutputType.Name);
        });
    }

    [Fact]
    public async Task Raw_request_bytes_with_dpservice_field_numbers_create_an_interface()
    {
        await using var host = await DaemonHost.StartInitializedAsync();

        // CreateInterfaceRequest hand-encoded: interface_id=2, vni=3, ipv4_config=4{primary_address=1}, ipv6_config=5, device_name=7.
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFromUtf8("raw-1"));
        o.WriteTag(3, WireFormat.WireType.Varint); o.WriteUInt32(321);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteBytes(Nested(1, "10.3.2.1"));
        o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(Nested(1, "::"));
        o.WriteTag(7, WireFormat.WireType.LengthDelimited); o.WriteString("vf2");
        o.Flush();

        var reply = await RawCalls.CallAsync(host.Channel.CreateCallInvoker(), "dpdkironcore.v1.DPDKironcore", "CreateInterface", ms.ToArray());

        // Response: status=1 {code omitted (0), message=2 "Success"}, underlay_route=2 (text), vf=3 {name=1}.
        var fields = Decode(reply);
        var status = Decode(fields[1].ToByteArray());
        Assert.False(status.ContainsKey(1), "code 0 is the default and not encoded");
        Assert.Equal("Success", status[2].ToStringUtf8());
        Assert.True(System.Net.IPAddress.TryParse(fields[2].ToStringUtf8(), out var underlay) && underlay.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
            $"underlay_route must be IPv6 text, got '{fields[2].ToStringUtf8()}'");
        Assert.False(string.IsNullOrEmpty(Decode(fields[3].ToByteArray())[1].ToStringUtf8()), "vf.name");

        var got = await host.Client.GetInterfaceAsync(new GetInterfaceRequest { InterfaceId = ByteString.CopyFromUtf8("raw-1") }, cancellationToken: Wire.Ct);
        Assert.Equal(321u, got.Interface.Vni);
        Assert.Equal("10.3.2.1", got.Interface.PrimaryIpv4.ToStringUtf8());
        Assert.Equal("vf2", got.Interface.PciName);

        // An application error on the wire: status=1 {code=1 varint 202, message=2 "ALREADY_EXISTS"} (device in use is
        // checked before the duplicate id, as in dpservice).
        var dup = Decode(Decode(await RawCalls.CallAsync(host.Channel.CreateCallInvoker(), "dpdkironcore.v1.DPDKironcore", "CreateInterface", ms.ToArray()))[1].ToByteArray());
        Assert.Equal("ALREADY_EXISTS", dup[2].ToStringUtf8());
        Assert.Equal(202u, new CodedInputStream(dup[1].ToByteArray()).ReadUInt32());
    }

    private static ByteString Nested(int field, string text)
    {
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFromUtf8(text));
        o.Flush();
        return ByteString.CopyFrom(ms.ToArray());
    }

    // field number → raw value (length-delimited payload, or the varint's own encoding).
    private static Dictionary<int, ByteString> Decode(byte[] data)
    {
        var result = new Dictionary<int, ByteString>();
        var input = new CodedInputStream(data);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited:
                    result[number] = input.ReadBytes();
                    break;
                case WireFormat.WireType.Varint:
                    using (var ms = new MemoryStream())
                    {
                        var o = new CodedOutputStream(ms);
                        o.WriteUInt64(input.ReadUInt64());
                        o.Flush();
                        result[number] = ByteString.CopyFrom(ms.ToArray());
                    }

                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return result;
    }
}
