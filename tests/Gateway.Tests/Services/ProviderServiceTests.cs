using Grpc.Core;
using IronOrleans.Gateway.Provider.V1;
using IronOrleans.Gateway.Tests.Infrastructure;
using IronOrleans.Grains.Model;
using NetworkInterfaceState = IronOrleans.Gateway.Provider.V1.NetworkInterfaceState;
using PciAddress = IronOrleans.Grains.Model.PciAddress;

namespace IronOrleans.Gateway.Tests.Services;

[Trait("Category", "Cluster")]
public sealed class ProviderServiceTests(GatewayFixture fixture)
{
    private readonly Clients _clients = new(fixture);

    [Fact]
    public async Task Ensure_IsIdempotentByName()
    {
        var ns = Names.Namespace();
        var node = Names.Node();
        var network = await _clients.CreateNetworkAsync(ns, "net");
        var request = Ensure(ns, "nic-1", "net", node, "10.0.0.1");
        request.Hostname = "vm-1";
        request.Labels["libvirt-provider.ironcore.dev/machine-id"] = "m-1";

        var first = await _clients.Provider.EnsureNetworkInterfaceAsync(request, Names.Call());
        var second = await _clients.Provider.EnsureNetworkInterfaceAsync(request, Names.Call());

        Assert.True(first.Created);
        Assert.False(second.Created);
        var nic = first.NetworkInterface;
        Assert.Equal(nic.Uid, second.NetworkInterface.Uid);
        Assert.Equal(NetworkInterfaceState.Pending, nic.State);
        Assert.Equal($"ironcore-net://{ns}/nic-1/{node}/{nic.Uid}", nic.ProviderId);
        Assert.Equal(network.Status.Vni, nic.Vni);
        Assert.Equal(network.Metadata.Uid, nic.NetworkUid);
        Assert.Equal("vm-1", nic.Hostname);
        Assert.Equal(["10.0.0.1"], nic.Ips);

        var got = (await _clients.Provider.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "nic-1" }, Names.Call())).NetworkInterface;
        Assert.Equal(second.NetworkInterface, got);
    }

    [Fact]
    public async Task Ensure_ByNetworkProviderId_UsesItsNamespace_AndRefusesAStaleOne()
    {
        var ns = Names.Namespace();
        var network = await _clients.CreateNetworkAsync(ns, "net");

        var viaId = await _clients.Provider.EnsureNetworkInterfaceAsync(
            Ensure(namespaceName: "", "nic", network.Status.ProviderId, Names.Node(), "10.0.0.2"), Names.Call());
        Assert.Equal(ns, viaId.NetworkInterface.Namespace);
        Assert.Equal("net", viaId.NetworkInterface.Network);

        var stale = $"ironcore-net://{ns}/net/{network.Status.Vni}/{Guid.NewGuid()}";
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            () => _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "nic-stale", stale, Names.Node(), "10.0.0.3"), Names.Call()).ResponseAsync,
            "NETWORK_PROVIDER_ID_MISMATCH");
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Provider.GetNetworkInterfaceAsync(new GetNetworkInterfaceRequest { Namespace = ns, Name = "nic-stale" }, Names.Call()).ResponseAsync,
            "NETWORKINTERFACE_NOT_FOUND");

        await RpcAssert.InvalidFieldAsync("namespace", () => _clients.Provider.EnsureNetworkInterfaceAsync(
            Ensure(Names.Namespace(), "nic-x", network.Status.ProviderId, Names.Node(), "10.0.0.4"), Names.Call()).ResponseAsync);
    }

    [Fact]
    public async Task Ensure_ChangedImmutableField_InvalidArgument()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        var node = Names.Node();
        await _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "nic", "net", node, "10.0.0.1"), Names.Call());
        await RpcAssert.InvalidFieldAsync("spec.node", () => _clients.Provider.EnsureNetworkInterfaceAsync(
            Ensure(ns, "nic", "net", Names.Node(), "10.0.0.1"), Names.Call()).ResponseAsync);
    }

    [Fact]
    public async Task Delete_IsIdempotent()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "net");
        var nic = (await _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "nic", "net", Names.Node(), "10.0.0.1"), Names.Call())).NetworkInterface;

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, () => _clients.Provider.DeleteNetworkInterfaceAsync(
            new DeleteNetworkInterfaceRequest { Namespace = ns, Name = "nic", Uid = Guid.NewGuid().ToString() }, Names.Call()).ResponseAsync, "UID_MISMATCH");

        var first = await _clients.Provider.DeleteNetworkInterfaceAsync(
            new DeleteNetworkInterfaceRequest { Namespace = ns, Name = "nic", Uid = nic.Uid }, Names.Call());
        var second = await _clients.Provider.DeleteNetworkInterfaceAsync(
            new DeleteNetworkInterfaceRequest { Namespace = ns, Name = "nic" }, Names.Call());
        Assert.True(first.Deleted);
        Assert.Equal(nic.Uid, first.NetworkInterface.Uid);
        Assert.False(second.Deleted);
        Assert.Null(second.NetworkInterface);

        // The IP was released: another interface may take it now.
        await _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "nic-2", "net", Names.Node(), "10.0.0.1"), Names.Call());
    }

    [Fact]
    public async Task List_ByNode_FiltersByLabels()
    {
        var ns = Names.Namespace();
        var node = Names.Node();
        await _clients.CreateNetworkAsync(ns, "net");
        for (var i = 0; i < 3; i++)
        {
            var request = Ensure(ns, $"nic-{i}", "net", node, $"10.0.0.{i + 1}");
            request.Labels["machine"] = i == 0 ? "m-0" : "m-x";
            await _clients.Provider.EnsureNetworkInterfaceAsync(request, Names.Call());
        }

        await _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "elsewhere", "net", Names.Node(), "10.0.0.9"), Names.Call());

        var all = await _clients.Provider.ListNetworkInterfacesAsync(new ListNetworkInterfacesRequest { Node = node }, Names.Call());
        Assert.Equal(["nic-0", "nic-1", "nic-2"], all.NetworkInterfaces.Select(n => n.Name));
        Assert.True(all.NodeVersion > 0);

        var selected = await _clients.Provider.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Node = node, LabelSelector = "machine=m-0" }, Names.Call());
        Assert.Equal(["nic-0"], selected.NetworkInterfaces.Select(n => n.Name));

        var excluded = await _clients.Provider.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Node = node, LabelSelector = "machine!=m-0" }, Names.Call());
        Assert.Equal(["nic-1", "nic-2"], excluded.NetworkInterfaces.Select(n => n.Name));
    }

    [Fact]
    public async Task Watch_SnapshotThenModifiedThenDeleted()
    {
        var ns = Names.Namespace();
        var node = Names.Node();
        await _clients.CreateNetworkAsync(ns, "net");
        var before = (await _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "before", "net", node, "10.0.0.1"), Names.Call())).NetworkInterface;

        using var call = _clients.Provider.WatchNetworkInterfaces(new WatchNetworkInterfacesRequest { Node = node }, Names.Call());
        var snapshot = await StreamReading.NextAsync(call.ResponseStream, "ADDED of the existing interface (snapshot)");
        Assert.Equal(WatchEventType.Added, snapshot.Type);
        Assert.Equal(before.Uid, snapshot.NetworkInterface.Uid);
        var synced = await StreamReading.NextAsync(call.ResponseStream, "SYNCED after the snapshot");
        Assert.Equal(WatchEventType.Synced, synced.Type);

        // A new interface on the node.
        var added = (await _clients.Provider.EnsureNetworkInterfaceAsync(Ensure(ns, "after", "net", node, "10.0.0.2"), Names.Call())).NetworkInterface;
        var addedEvent = await StreamReading.NextAsync(call.ResponseStream, "ADDED of the new interface");
        Assert.Equal(WatchEventType.Added, addedEvent.Type);
        Assert.Equal(added.Uid, addedEvent.NetworkInterface.Uid);

        // The node agent reports the interface ready with a VF's PCI address.
        await fixture.ControlPlane.ReportNetworkInterfaceStatusAsync(new ResourceName(ns, "before"), new NetworkInterfaceStatusReport
        {
            Uid = Guid.Parse(before.Uid),
            State = Grains.Model.NetworkInterfaceState.Ready,
            PciAddress = new PciAddress("0000", "3b", "00", "2"),
        });
        var modified = await StreamReading.NextAsync(call.ResponseStream, "MODIFIED with state READY");
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.Equal(before.Uid, modified.NetworkInterface.Uid);
        Assert.Equal(NetworkInterfaceState.Ready, modified.NetworkInterface.State);
        Assert.Equal(new Provider.V1.PciAddress { Domain = "0000", Bus = "3b", Slot = "00", Function = "2" }, modified.NetworkInterface.PciAddress);
        Assert.True(modified.NetworkInterface.ResourceVersion > before.ResourceVersion);
        Assert.NotNull(modified.NetworkInterface.LastStateTransitionTime);

        await _clients.Provider.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest { Namespace = ns, Name = "before" }, Names.Call());
        var deleted = await StreamReading.NextAsync(call.ResponseStream, "DELETED of the removed interface");
        Assert.Equal(WatchEventType.Deleted, deleted.Type);
        Assert.Equal(before.Uid, deleted.NetworkInterface.Uid);
        Assert.True(deleted.NodeVersion > modified.NodeVersion);
    }

    public static TheoryData<string, string> BadEnsures() => new()
    {
        { "name", "name=Upper" },
        { "namespace", "ns=" },
        { "network", "network=ironcore-net://broken" },
        { "network", "network=" },
        { "node", "node=" },
        { "ips", "ips=" },
        { "ips[0]", "ips=300.0.0.1" },
        { "ips[1]", "ips=fd00::1,fd00::2" },
        { "hostname", "hostname=Host_Name" },
        { "labels[a b]", "label=a b" },
    };

    [Theory]
    [MemberData(nameof(BadEnsures))]
    public async Task Ensure_BadInput_InvalidArgument_AndCreatesNothing(string field, string mutation)
    {
        var ns = Names.Namespace();
        var node = Names.Node();
        await _clients.CreateNetworkAsync(ns, "net");
        var request = Ensure(ns, "nic", "net", node, "10.0.0.1");
        var (key, value) = (mutation[..mutation.IndexOf('=')], mutation[(mutation.IndexOf('=') + 1)..]);
        switch (key)
        {
            case "name": request.Name = value; break;
            case "ns": request.Namespace = value; break;
            case "network": request.Network = value; break;
            case "node": request.Node = value; break;
            case "ips":
                request.Ips.Clear();
                request.Ips.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries));
                break;
            case "hostname": request.Hostname = value; break;
            case "label": request.Labels[value] = "v"; break;
        }

        await RpcAssert.InvalidFieldAsync(field, () => _clients.Provider.EnsureNetworkInterfaceAsync(request, Names.Call()).ResponseAsync);
        Assert.Empty((await _clients.Provider.ListNetworkInterfacesAsync(new ListNetworkInterfacesRequest { Node = node }, Names.Call())).NetworkInterfaces);
        Assert.Empty((await _clients.Interfaces.ListNetworkInterfacesAsync(
            new Networking.V1.ListNetworkInterfacesRequest { Namespace = ns }, Names.Call())).NetworkInterfaces);
    }

    [Fact]
    public async Task GetListDeleteWatch_BadInput_InvalidArgument()
    {
        await RpcAssert.InvalidFieldAsync("name", () => _clients.Provider.GetNetworkInterfaceAsync(
            new GetNetworkInterfaceRequest { Namespace = "ok", Name = "" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("node", () => _clients.Provider.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Node = "-bad" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("label_selector", () => _clients.Provider.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Node = "n1", LabelSelector = "justakey" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("label_selector", () => _clients.Provider.ListNetworkInterfacesAsync(
            new ListNetworkInterfacesRequest { Node = "n1", LabelSelector = "k=v,=x" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("uid", () => _clients.Provider.DeleteNetworkInterfaceAsync(
            new DeleteNetworkInterfaceRequest { Namespace = "ok", Name = "x", Uid = "u" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("node", async () =>
        {
            using var call = _clients.Provider.WatchNetworkInterfaces(new WatchNetworkInterfacesRequest { Node = "UPPER" }, Names.Call());
            await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken);
        });
    }

    private static EnsureNetworkInterfaceRequest Ensure(string namespaceName, string name, string network, string node, params string[] ips) => new()
    {
        Namespace = namespaceName,
        Name = name,
        Network = network,
        Node = node,
        Ips = { ips },
    };
}
