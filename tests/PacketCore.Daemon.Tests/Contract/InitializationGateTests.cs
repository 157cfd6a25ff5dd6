using Grpc.Core;
using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>reference/dpservice.md §1.1: every RPC except Initialize answers ABORTED "not initialized" first.</summary>
public sealed class InitializationGateTests
{
    [Fact]
    public async Task Every_rpc_except_Initialize_is_aborted_before_Initialize()
    {
        await using var host = await DaemonHost.StartAsync();
        foreach (var method in DPDKironcore.Descriptor.Methods)
        {
            if (method.Name == "Initialize")
            {
                continue;
            }

            var ex = await Assert.ThrowsAsync<RpcException>(
                () => RawCalls.CallAsync(host.Channel.CreateCallInvoker(), ContractScope.Service, method.Name, []));
            Assert.True(ex.StatusCode == StatusCode.Aborted, $"{method.Name}: expected ABORTED, got {ex.StatusCode} '{ex.Status.Detail}'");
            Assert.Equal("not initialized", ex.Status.Detail);
        }
    }

    [Fact]
    public async Task Initialize_opens_the_gate_and_returns_the_process_uuid()
    {
        await using var host = await DaemonHost.StartAsync();

        var init = await host.Client.InitializeAsync(new InitializeRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0u, init.Status.Code);
        Assert.Equal("Success", init.Status.Message);
        Assert.True(Guid.TryParseExact(init.Uuid, "D", out _), $"uuid '{init.Uuid}' is not a UUID");
        Assert.Equal(init.Uuid.ToUpperInvariant(), init.Uuid);

        var check = await host.Client.CheckInitializedAsync(new CheckInitializedRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0u, check.Status.Code);
        Assert.Equal(init.Uuid, check.Uuid);

        // A second Initialize is accepted by the server (only the CLI refuses it) and keeps the UUID.
        var again = await host.Client.InitializeAsync(new InitializeRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0u, again.Status.Code);
        Assert.Equal(init.Uuid, again.Uuid);
    }

    [Fact]
    public async Task Each_process_start_gets_a_new_uuid()
    {
        string first;
        await using (var a = await DaemonHost.StartInitializedAsync())
        {
            first = (await a.Client.CheckInitializedAsync(new CheckInitializedRequest(), cancellationToken: TestContext.Current.CancellationToken)).Uuid;
        }

        await using var b = await DaemonHost.StartInitializedAsync();
        var second = (await b.Client.CheckInitializedAsync(new CheckInitializedRequest(), cancellationToken: TestContext.Current.CancellationToken)).Uuid;
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Out_of_scope_rpcs_are_unimplemented_after_Initialize()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var outOfScope = DPDKironcore.Descriptor.Methods.Where(m => !ContractScope.Implemented.Contains(m.Name)).ToList();
        Assert.Equal(42 - ContractScope.Implemented.Count, outOfScope.Count);
        foreach (var method in outOfScope)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(
                () => RawCalls.CallAsync(host.Channel.CreateCallInvoker(), ContractScope.Service, method.Name, []));
            Assert.True(ex.StatusCode == StatusCode.Unimplemented, $"{method.Name}: expected UNIMPLEMENTED, got {ex.StatusCode}");
        }
    }

    [Fact]
    public async Task GetVersion_requires_all_client_fields_and_reports_the_build_version()
    {
        await using var host = await DaemonHost.StartInitializedAsync();
        var ok = await host.Client.GetVersionAsync(new GetVersionRequest
        {
            ClientProtocol = "1", ClientName = "tests", ClientVersion = "0.1",
        }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0u, ok.Status.Code);
        Assert.False(string.IsNullOrEmpty(ok.ServiceVersion));
        Assert.Equal(ok.ServiceVersion, ok.ServiceProtocol);

        (GetVersionRequest Request, string Error)[] bad =
        [
            (new() { ClientName = "n", ClientVersion = "v" }, "Invalid client_protocol"),
            (new() { ClientProtocol = "p", ClientVersion = "v" }, "Invalid client_name"),
            (new() { ClientProtocol = "p", ClientName = "n" }, "Invalid client_version"),
        ];
        foreach (var (request, error) in bad)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetVersionAsync(request, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Equal(error, ex.Status.Detail);
        }
    }
}
