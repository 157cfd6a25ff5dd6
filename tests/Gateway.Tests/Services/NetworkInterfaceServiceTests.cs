using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Tests.Infrastructure;
using IronOrleans.Grains.Model;
using NetworkInterfaceSpec = IronOrleans.Gateway.Networking.V1.NetworkInterfaceSpec;
using NetworkInterfaceState = IronOrleans.Gateway.Networking.V1.NetworkInterfaceState;

namespace IronOrleans.Gateway.Tests.Services;

[Trait("Category", "Cluster")]
public sealed class NetworkInterfaceServiceTests(GatewayFixture fixture)
{
    private readonly Clients _clients = new(fixture);

    [Fact]
    public async Task Create_Get_List_Update_Delete_RoundTrip()
    {
        var ns = Names.Namespace();
        var node = Names.Node();
        var network = await _clients.CreateNetworkAsync(ns, "net");
        await _clients.CreateVirtualIpAsync(ns, "vip");

        var created = await CreateAsync(ns, "nic-a", node, "10.0.0.10", "fd00::a");
        Assert.Equal(NetworkInterfaceState.Pending, created.Status.State);
        Assert.Equal(network.Status.Vni, created.Status.Vni);
        Assert.Equal(network.Metadata.Uid, created.Status.NetworkUid);
        Assert.Equal(["10.0.0.10", "fd00::a"], created.Spec.Ips);
        Assert.Equal($"ironcore-net://{ns}/nic-a/{node}/{created.Metadata.Uid}", created.Status.ProviderId);
        Assert.True(created.Metadata.ResourceVersion > 0);

        var got = (await _clients.Interfaces.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "nic-a" }, Names.Call())).NetworkInterface;
        Assert.Equal(created, got);
        Assert.Equal([created], (await _clients.Interfaces.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Namespace = ns }, Names.Call())).NetworkInterfaces);

        // Only the masked fields change; immutable fields in the request are ignored.
        var updated = (await _clients.Interfaces.UpdateNetworkInterfaceAsync(
            new UpdateNetworkInterfaceRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "nic-a", Labels = { ["tier"] = "web" } },
                Spec = new NetworkInterfaceSpec { Prefixes = { "10.9.0.0/24" }, VirtualIp = "vip", Node = "ignored.node" },
                UpdateMask = new FieldMask { Paths = { "metadata.labels", "spec.virtual_ip" } },
            },
            Names.Call())).NetworkInterface;
        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);
        Assert.Equal("web", updated.Metadata.Labels["tier"]);
        Assert.Equal("vip", updated.Spec.VirtualIp);
        Assert.NotEmpty(updated.Status.VirtualIp);
        Assert.Empty(updated.Spec.Prefixes);
        Assert.Equal(node, updated.Spec.Node);
        Assert.True(updated.Metadata.ResourceVersion > created.Metadata.ResourceVersion);

        var deleted = (await _clients.Interfaces.DeleteNetworkInterfaceAsync(
            new DeleteNetworkInterfaceRequest { Namespace = ns, Name = "nic-a", Uid = created.Metadata.Uid }, Names.Call())).NetworkInterface;
        Assert.Equal(created.Metadata.Uid, deleted.Metadata.Uid);
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Interfaces.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "nic-a" }, Names.Call()).ResponseAsync,
            "NETWORKINTERFACE_NOT_FOUND");
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Interfaces.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest { Namespace = ns, Name = "nic-a" }, Names.Call()).ResponseAsync,
            "NETWORKINTERFACE_NOT_FOUND");

        // The VirtualIP claim was released with the interface.
        var vip = (await _clients.VirtualIps.GetVirtualIpAsync(new GetVirtualIpRequest { Namespace = ns, Name = "vip" }, Names.Call())).VirtualIp;
        Assert.Null(vip.Status.TargetRef);
    }

    [Fact]
    public async Task Create_Existing_AlreadyExists_AndLeavesItUnchanged()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        var node = Names.Node();
        var first = await CreateAsync(ns, "nic", node, "10.0.0.1");

        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, () => _clients.Interfaces.CreateNetworkInterfaceAsync(
            new CreateNetworkInterfaceRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "nic", Labels = { ["changed"] = "yes" } },
                Spec = new NetworkInterfaceSpec { Network = "net", Node = node, Ips = { "10.0.0.1" } },
            },
            Names.Call()).ResponseAsync, "NETWORKINTERFACE_EXISTS");

        var after = (await _clients.Interfaces.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "nic" }, Names.Call())).NetworkInterface;
        Assert.Equal(first, after);
    }

    [Fact]
    public async Task Create_IpHeldByAnotherInterface_AlreadyExists()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        await CreateAsync(ns, "one", Names.Node(), "10.0.0.7");
        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, () => CreateAsync(ns, "two", Names.Node(), "10.0.0.7"), "IP_IN_USE");
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Interfaces.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "two" }, Names.Call()).ResponseAsync);
    }

    [Fact]
    public async Task Create_MissingNetworkOrVirtualIp_NotFound()
    {
        var ns = Names.Namespace();
        await RpcAssert.FailsAsync(StatusCode.NotFound, () => CreateAsync(ns, "nic", Names.Node(), "10.0.0.1"), "NETWORK_NOT_FOUND");
        await _clients.CreateNetworkAsync(ns, "net");
        await RpcAssert.FailsAsync(StatusCode.NotFound, () => _clients.Interfaces.CreateNetworkInterfaceAsync(
            new CreateNetworkInterfaceRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "nic" },
                Spec = new NetworkInterfaceSpec { Network = "net", Node = Names.Node(), Ips = { "10.0.0.1" }, VirtualIp = "ghost" },
            },
            Names.Call()).ResponseAsync, "VIRTUALIP_NOT_FOUND");
        Assert.Empty((await _clients.Interfaces.ListNetworkInterfacesAsync(new ListNetworkInterfacesRequest { Namespace = ns }, Names.Call())).NetworkInterfaces);
    }

    public static TheoryData<string, string> BadSpecs() => new()
    {
        { "spec.ips", "" },
        { "spec.ips[0]", "10.1" },
        { "spec.ips[0]", "not-an-ip" },
        { "spec.ips[1]", "10.0.0.1,10.0.0.2" },
        { "spec.node", "node=Bad_Node" },
        { "spec.network", "network=" },
        { "spec.prefixes[0]", "prefix=10.0.0.1/24" },
        { "spec.virtual_ip", "vip=Bad" },
        { "spec.hostname", "hostname=a.b" },
        { "metadata.labels[-x]", "label=-x" },
        { "metadata.name", "name=UPPER" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task Create_BadInput_InvalidArgument_AndCreatesNothing(string field, string mutation)
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        var request = new CreateNetworkInterfaceRequest
        {
            Metadata = new ObjectMetadata { Namespace = ns, Name = "nic" },
            Spec = new NetworkInterfaceSpec { Network = "net", Node = Names.Node() },
        };
        if (mutation.Contains('=', StringComparison.Ordinal))
        {
            request.Spec.Ips.Add("10.0.0.1");
            var (key, value) = (mutation[..mutation.IndexOf('=')], mutation[(mutation.IndexOf('=') + 1)..]);
            switch (key)
            {
                case "node": request.Spec.Node = value; break;
                case "network": request.Spec.Network = value; break;
                case "prefix": request.Spec.Prefixes.Add(value); break;
                case "vip": request.Spec.VirtualIp = value; break;
                case "hostname": request.Spec.Hostname = value; break;
                case "label": request.Metadata.Labels[value] = "v"; break;
                case "name": request.Metadata.Name = value; break;
            }
        }
        else if (mutation.Length > 0)
        {
            request.Spec.Ips.AddRange(mutation.Split(','));
        }

        await RpcAssert.InvalidFieldAsync(field, () => _clients.Interfaces.CreateNetworkInterfaceAsync(request, Names.Call()).ResponseAsync);
        Assert.Empty((await _clients.Interfaces.ListNetworkInterfacesAsync(new ListNetworkInterfacesRequest { Namespace = ns }, Names.Call())).NetworkInterfaces);
    }

    [Fact]
    public async Task Update_BadInput_InvalidArgument_AndChangesNothing()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        var nic = await CreateAsync(ns, "nic", Names.Node(), "10.0.0.3");
        UpdateNetworkInterfaceRequest Update(string path, Action<UpdateNetworkInterfaceRequest>? change = null)
        {
            var request = new UpdateNetworkInterfaceRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "nic" },
                Spec = new NetworkInterfaceSpec(),
                UpdateMask = new FieldMask { Paths = { path } },
            };
            change?.Invoke(request);
            return request;
        }

        await RpcAssert.InvalidFieldAsync("update_mask", () => _clients.Interfaces.UpdateNetworkInterfaceAsync(Update("spec.ips"), Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("spec.prefixes[0]", () => _clients.Interfaces.UpdateNetworkInterfaceAsync(
            Update("spec.prefixes", r => r.Spec.Prefixes.Add("10.0.0.0/33")), Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("metadata.uid", () => _clients.Interfaces.UpdateNetworkInterfaceAsync(
            Update("metadata.labels", r => r.Metadata.Uid = "x"), Names.Call()).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => _clients.Interfaces.UpdateNetworkInterfaceAsync(
            Update("metadata.labels", r => r.Metadata.Uid = Guid.NewGuid().ToString()), Names.Call()).ResponseAsync, "UID_MISMATCH");

        var after = (await _clients.Interfaces.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "nic" }, Names.Call())).NetworkInterface;
        Assert.Equal(nic, after);
    }

    [Fact]
    public async Task Watch_ByNodeAndNamespace_SnapshotThenChanges()
    {
        var ns = Names.Namespace();
        var other = Names.Namespace();
        var node = Names.Node();
        await _clients.CreateNetworkAsync(ns, "net");
        await _clients.CreateNetworkAsync(other, "net");
        var existing = await CreateAsync(ns, "before", node, "10.0.0.1");
        await CreateAsync(other, "elsewhere", node, "10.0.0.1");

        using var call = _clients.Interfaces.WatchNetworkInterfaces(new WatchNetworkInterfacesRequest { Node = node, Namespace = ns }, Names.Call());
        var added = await StreamReading.NextAsync(call.ResponseStream, "ADDED of the existing interface");
        Assert.Equal(WatchEventType.Added, added.Type);
        Assert.Equal(existing.Metadata.Uid, added.NetworkInterface.Metadata.Uid);
        Assert.Equal(WatchEventType.Synced, (await StreamReading.NextAsync(call.ResponseStream, "SYNCED")).Type);

        await fixture.ControlPlane.ReportNetworkInterfaceStatusAsync(new ResourceName(ns, "before"), new NetworkInterfaceStatusReport
        {
            Uid = Guid.Parse(existing.Metadata.Uid),
            State = Grains.Model.NetworkInterfaceState.Ready,
            TapDevice = "tap-before",
        });
        var modified = await StreamReading.NextAsync(call.ResponseStream, "MODIFIED after the status report");
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.Equal(NetworkInterfaceState.Ready, modified.NetworkInterface.Status.State);
        Assert.Equal("tap-before", modified.NetworkInterface.Status.TapDevice);
        Assert.True(modified.NodeVersion > added.NodeVersion);
    }

    [Fact]
    public async Task GetListDeleteWatch_BadInput_InvalidArgument()
    {
        await RpcAssert.InvalidFieldAsync("namespace", () => _clients.Interfaces.GetNetworkInterfaceAsync(
            new GetNetworkInterfaceRequest { Namespace = "a/b", Name = "x" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("page_size", () => _clients.Interfaces.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Namespace = "ok", PageSize = -5 }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("uid", () => _clients.Interfaces.DeleteNetworkInterfaceAsync(
            new DeleteNetworkInterfaceRequest { Namespace = "ok", Name = "x", Uid = "1234" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("node", async () =>
        {
            using var call = _clients.Interfaces.WatchNetworkInterfaces(new WatchNetworkInterfacesRequest { Node = "" }, Names.Call());
            await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken);
        });
        await RpcAssert.InvalidFieldAsync("namespace", async () =>
        {
            using var call = _clients.Interfaces.WatchNetworkInterfaces(new WatchNetworkInterfacesRequest { Node = "n1", Namespace = "Bad" }, Names.Call());
            await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken);
        });
    }

    private async Task<NetworkInterface> CreateAsync(string ns, string name, string node, params string[] ips)
    {
        var response = await _clients.Interfaces.CreateNetworkInterfaceAsync(
            new CreateNetworkInterfaceRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = name },
                Spec = new NetworkInterfaceSpec { Network = "net", Node = node, Ips = { ips } },
            },
            Names.Call());
        return response.NetworkInterface;
    }
}
