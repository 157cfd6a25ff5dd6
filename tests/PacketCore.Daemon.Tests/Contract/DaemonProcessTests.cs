using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using IronOrleans.PacketCore.Daemon.Tests.EndToEnd;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>The built daemon executable (Program.cs as shipped), started as a real process on a free port.</summary>
public sealed class DaemonProcessTests
{
    [Fact]
    public async Task The_built_daemon_serves_the_contract_and_a_restart_changes_the_uuid()
    {
        var first = await RunOnceAsync();
        var second = await RunOnceAsync();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Missing_tools_fail_with_the_package_to_install()
    {
        var ex = Assert.ThrowsAny<Exception>(() => Proc.RequireTool("ironorleans-no-such-tool", "no-such-package"));
        Assert.Contains("apt-get install -y no-such-package", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<string> RunOnceAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "IronOrleans.PacketCore.Daemon.dll");
        Assert.True(File.Exists(dll), $"daemon not built next to the tests: {dll}");
        var port = FreePort();
        await using var daemon = Proc.Start("dotnet",
        [
            dll, "--grpc-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--port-backend", "inmemory",
            "--ipv6", "fc00:1::1", "--pf0", "up0,02:00:00:00:00:01", "--vf", "vf0,02:00:00:00:01:00",
        ]);
        var listening = await daemon.WaitForLineAsync(l => l.Contains("Now listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.True(listening is not null, $"daemon did not start: {string.Join('\n', daemon.Lines)}\n{daemon.StdErr}");

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new DPDKironcore.DPDKironcoreClient(channel);
        var ct = TestContext.Current.CancellationToken;
        var gate = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckInitializedAsync(new CheckInitializedRequest(), cancellationToken: ct));
        Assert.Equal(StatusCode.Aborted, gate.StatusCode);
        Assert.Equal("not initialized", gate.Status.Detail);

        var init = await client.InitializeAsync(new InitializeRequest(), cancellationToken: ct);
        Assert.Equal(0u, init.Status.Code);
        var created = await client.CreateInterfaceAsync(new IronOrleans.PacketCore.Grpc.V1.CreateInterfaceRequest
        {
            InterfaceId = Google.Protobuf.ByteString.CopyFromUtf8("vm-1"),
            Vni = 5,
            Ipv4Config = new IpConfig { PrimaryAddress = Google.Protobuf.ByteString.CopyFromUtf8("10.5.0.1") },
            Ipv6Config = new IpConfig { PrimaryAddress = Google.Protobuf.ByteString.CopyFromUtf8("::") },
            DeviceName = "vf0",
        }, cancellationToken: ct);
        Assert.Equal(0u, created.Status.Code);
        return init.Uuid;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
