using Grpc.Core;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Tests.Infrastructure;

namespace IronOrleans.Gateway.Tests.Services;

[Trait("Category", "Cluster")]
public sealed class NetworkServiceTests(GatewayFixture fixture)
{
    private readonly Clients _clients = new(fixture);

    [Fact]
    public async Task Create_Get_List_Delete_RoundTrip()
    {
        var ns = Names.Namespace();
        var created = (await _clients.Networks.CreateNetworkAsync(
            new CreateNetworkRequest
            {
                Metadata = new ObjectMetadata { Namespace = ns, Name = "net-a", Labels = { ["team"] = "blue" } },
            },
            Names.Call())).Network;

        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.Equal("blue", created.Metadata.Labels["team"]);
        Assert.InRange(created.Status.Vni, 200u, 16_777_215u);
        Assert.Equal(NetworkState.Available, created.Status.State);
        Assert.Equal($"ironcore-net://{ns}/net-a/{created.Status.Vni}/{created.Metadata.Uid}", created.Status.ProviderId);
        Assert.NotNull(created.Metadata.CreatedAt);

        var got = (await _clients.Networks.GetNetworkAsync(new GetNetworkRequest { Namespace = ns, Name = "net-a" }, Names.Call())).Network;
        Assert.Equal(created, got);

        var listed = await _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = ns }, Names.Call());
        Assert.Equal([created], listed.Networks);
        Assert.Empty(listed.NextPageToken);

        var deleted = (await _clients.Networks.DeleteNetworkAsync(
            new DeleteNetworkRequest { Namespace = ns, Name = "net-a", Uid = created.Metadata.Uid }, Names.Call())).Network;
        Assert.Equal(created.Metadata.Uid, deleted.Metadata.Uid);

        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Networks.GetNetworkAsync(new GetNetworkRequest { Namespace = ns, Name = "net-a" }, Names.Call()).ResponseAsync,
            "NETWORK_NOT_FOUND");
        Assert.Empty((await _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = ns }, Names.Call())).Networks);
    }

    [Fact]
    public async Task Create_TakenName_AlreadyExists()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "dup");
        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, () => _clients.CreateNetworkAsync(ns, "dup"), "NETWORK_EXISTS");
    }

    [Fact]
    public async Task Create_RequestedVniInUse_AlreadyExists()
    {
        var ns = Names.Namespace();
        var vni = (uint)Random.Shared.Next(1_000_000, 16_000_000);
        var first = await _clients.CreateNetworkAsync(ns, "first", vni);
        Assert.Equal(vni, first.Status.Vni);

        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, () => _clients.CreateNetworkAsync(ns, "second", vni), "VNI_IN_USE");
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Networks.GetNetworkAsync(new GetNetworkRequest { Namespace = ns, Name = "second" }, Names.Call()).ResponseAsync);
    }

    [Fact]
    public async Task Delete_WrongUid_FailedPrecondition_AndKeepsNetwork()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "keep");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            () => _clients.Networks.DeleteNetworkAsync(
                new DeleteNetworkRequest { Namespace = ns, Name = "keep", Uid = Guid.NewGuid().ToString() }, Names.Call()).ResponseAsync,
            "UID_MISMATCH");
        await _clients.Networks.GetNetworkAsync(new GetNetworkRequest { Namespace = ns, Name = "keep" }, Names.Call());
    }

    [Fact]
    public async Task Delete_Missing_NotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound,
            () => _clients.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Namespace = Names.Namespace(), Name = "nope" }, Names.Call()).ResponseAsync,
            "NETWORK_NOT_FOUND");
    }

    [Fact]
    public async Task Delete_WhileInterfaceUsesIt_FailedPrecondition()
    {
        var ns = Names.Namespace();
        await _clients.CreateNetworkAsync(ns, "busy");
        await _clients.Provider.EnsureNetworkInterfaceAsync(
            new Provider.V1.EnsureNetworkInterfaceRequest { Namespace = ns, Name = "nic", Network = "busy", Node = Names.Node(), Ips = { "10.0.0.1" } },
            Names.Call());

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition,
            () => _clients.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Namespace = ns, Name = "busy" }, Names.Call()).ResponseAsync,
            "NETWORK_IN_USE");
    }

    [Fact]
    public async Task List_Pages_InNameOrder()
    {
        var ns = Names.Namespace();
        var names = Enumerable.Range(0, 5).Select(i => $"net-{i}").ToArray();
        foreach (var name in names.Reverse())
        {
            await _clients.CreateNetworkAsync(ns, name);
        }

        var seen = new List<string>();
        var pages = 0;
        var token = string.Empty;
        do
        {
            var page = await _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = ns, PageSize = 2, PageToken = token }, Names.Call());
            Assert.InRange(page.Networks.Count, 1, 2);
            seen.AddRange(page.Networks.Select(n => n.Metadata.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(names, seen);
    }

    public static TheoryData<string, string> BadCreates() => new()
    {
        { "metadata.namespace", "ns=;name=ok" },
        { "metadata.namespace", "ns=Upper;name=ok" },
        { "metadata.name", "name=bad_name" },
        { "metadata.name", "name=" },
        { "metadata.labels[bad key]", "label=bad key" },
        { "spec.vni", "vni=0" },
        { "spec.vni", "vni=16777216" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Create_BadInput_InvalidArgument_AndCreatesNothing(string field, string mutation)
    {
        var ns = Names.Namespace();
        var request = new CreateNetworkRequest { Metadata = new ObjectMetadata { Namespace = ns, Name = "ok" }, Spec = new NetworkSpec() };
        foreach (var part in mutation.Split(';'))
        {
            var (key, value) = (part[..part.IndexOf('=')], part[(part.IndexOf('=') + 1)..]);
            switch (key)
            {
                case "ns": request.Metadata.Namespace = value; break;
                case "name": request.Metadata.Name = value; break;
                case "label": request.Metadata.Labels[value] = "v"; break;
                case "vni": request.Spec.Vni = uint.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }

        await RpcAssert.InvalidFieldAsync(field, () => _clients.Networks.CreateNetworkAsync(request, Names.Call()).ResponseAsync);
        Assert.Empty((await _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = ns }, Names.Call())).Networks);
    }

    [Fact]
    public async Task Create_VniOutsideConfiguredRange_InvalidArgumentFromGrain()
    {
        var ns = Names.Namespace();
        await RpcAssert.InvalidFieldAsync("spec.vni", () => _clients.CreateNetworkAsync(ns, "low", 100));
        Assert.Empty((await _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = ns }, Names.Call())).Networks);
    }

    [Fact]
    public async Task Get_List_Delete_BadInput_InvalidArgument()
    {
        await RpcAssert.InvalidFieldAsync("name",
            () => _clients.Networks.GetNetworkAsync(new GetNetworkRequest { Namespace = "ok", Name = "-x" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("namespace",
            () => _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = "" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("page_size",
            () => _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = "ok", PageSize = -1 }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("page_token",
            () => _clients.Networks.ListNetworksAsync(new ListNetworksRequest { Namespace = "ok", PageToken = "garbage!" }, Names.Call()).ResponseAsync);
        await RpcAssert.InvalidFieldAsync("uid",
            () => _clients.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Namespace = "ok", Name = "x", Uid = "nope" }, Names.Call()).ResponseAsync);
    }
}
