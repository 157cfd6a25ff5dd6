using System.Net;
using Grpc.Core;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Tests.Infrastructure;

namespace IronOrleans.Gateway.Tests.Services;

[Trait("Category", "Cluster")]
public sealed class VirtualIpServiceTests(GatewayFixture fixture)
{
    private readonly Clients _clients = new(fixture);

    [Fact]
    public async Task Create_Get_List_Delete_RoundTrip()
    {
        var ns = Names.Namespace();
        var created = await _clients.CreateVirtualIpAsync(ns, "vip-a");
        Assert.Equal(VirtualIpType.Public, created.Spec.Type);
        Assert.Equal(IpFamily.Ipv4, created.Spec.IpFamily);
        Assert.True(IPNetwork.Parse("198.51.100.0/24").Contains(IPAddress.Parse(created.Status.Ip)), created.Status.Ip);
        Assert.Null(created.Status.TargetRef);

        var got = (await _clients.VirtualIps.GetVirtualIpAsync(new GetVirtualIpRequest { Namespace = ns, Name = "vip-a" }, Names.Call())).VirtualIp;
        Assert.Equal(created, got);
        var listed = await _clients.VirtualIps.ListVirtualIpsAsync(new ListVirtualIpsRequest { Namespace = ns }, Names.Call());
        Assert.Equal([created], listed.VirtualIps);

        await _clients.VirtualIps.DeleteVirtualIpAsync(new DeleteVirtualIpRequest { Namespace = ns, Name = "vip-a" }, Names.Call());
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.VirtualIps.GetVirtualIpAsync(new GetVirtualIpRequest { Namespace = ns, Name = "vip-a" }, Names.Call()).ResponseAsync,
            "VIRTUALIP_NOT_FOUND");
    }

    [Fact]
    public async Task Create_TakenName_AlreadyExists()
    {
        var ns = Names.Namespace();
        await _clients.CreateVirtualIpAsync(ns, "dup");
        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, () => _clients.CreateVirtualIpAsync(ns, "dup"), "VIRTUALIP_EXISTS");
    }

    [Fact]
    public async Task Create_PoolUsedUp_ResourceExhausted()
    {
        // Only this test uses IPv6: the pool is a /126 (at most 4 addresses).
        var ns = Names.Namespace();
        var created = new List<string>();
        RpcException? exhausted = null;
        for (var i = 0; i < 16 && exhausted is null; i++)
        {
            try
            {
                created.Add((await _clients.CreateVirtualIpAsync(ns, $"v6-{i}", IpFamily.Ipv6)).Status.Ip);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                exhausted = e;
            }
        }

        try
        {
            Assert.NotNull(exhausted);
            Assert.InRange(created.Count, 1, 4);
            Assert.Equal(created.Count, created.Distinct().Count());
            await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, () => _clients.CreateVirtualIpAsync(ns, "one-more", IpFamily.Ipv6),
                "PUBLIC_IP_POOL_EXHAUSTED");
        }
        finally
        {
            for (var i = 0; i < created.Count; i++)
            {
                await _clients.VirtualIps.DeleteVirtualIpAsync(new DeleteVirtualIpRequest { Namespace = ns, Name = $"v6-{i}" }, Names.Call());
            }
        }
    }

    [Fact]
    public async Task Delete_WhileClaimed_FailedPrecondition()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        var vip = await _clients.CreateVirtualIpAsync(ns, "claimed");
        var nic = (await _clients.Interfaces.CreateNetworkInterfaceAsync(
            new CreateNetworkInterfaceRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "nic" },
                Spec = new NetworkInterfaceSpec { Network = "net", Node = Names.Node(), Ips = { "10.1.0.5" }, VirtualIp = "claimed" },
            },
            Names.Call())).NetworkInterface;
        Assert.Equal(vip.Status.Ip, nic.Status.VirtualIp);

        var claimed = (await _clients.VirtualIps.GetVirtualIpAsync(new GetVirtualIpRequest { Namespace = ns, Name = "claimed" }, Names.Call())).VirtualIp;
        Assert.Equal(nic.Metadata.Uid, claimed.Status.TargetRef.Uid);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            () => _clients.VirtualIps.DeleteVirtualIpAsync(new DeleteVirtualIpRequest { Namespace = ns, Name = "claimed" }, Names.Call()).ResponseAsync,
            "VIRTUALIP_CLAIMED");
    }

    [Fact]
    public async Task BadInput_InvalidArgument_AndCreatesNothing()
    {
        var ns = Names.Namespace();
        await RpcAssert.InvalidFieldAsync("spec.ip_family", () => _clients.VirtualIps.CreateVirtualIpAsync(
            new CreateVirtualIpRequest { Metadata = new ObjectMetadata { Namespace = ns, Name = "v" }, Spec = new VirtualIpSpec() },
            Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("spec.type", () => _clients.VirtualIps.CreateVirtualIpAsync(
            new CreateVirtualIpRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "v" },
                Spec = new VirtualIpSpec { IpFamily = IpFamily.Ipv4, Type = (VirtualIpType)7 },
            },
            Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("metadata.name", () => _clients.CreateVirtualIpAsync(ns, "Not.A.Label"));
        await RpcAssert.InvalidFieldAsync("name",
            () => _clients.VirtualIps.GetVirtualIpAsync(new GetVirtualIpRequest { Namespace = ns, Name = "" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("page_token",
            () => _clients.VirtualIps.ListVirtualIpsAsync(new ListVirtualIpsRequest { Namespace = ns, PageToken = "cDE" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("uid",
            () => _clients.VirtualIps.DeleteVirtualIpAsync(new DeleteVirtualIpRequest { Namespace = ns, Name = "v", Uid = "x" }, Names.Call()).ResponseAsync);

        Assert.Empty((await _clients.VirtualIps.ListVirtualIpsAsync(new ListVirtualIpsRequest { Namespace = ns }, Names.Call())).VirtualIps);
    }
}
