using Google.Protobuf;
using Grpc.Core;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Daemon.Tests.Infrastructure;

/// <summary>Helpers that speak dpservice's wire conventions: addresses and IDs as text in bytes fields.</summary>
public static class Wire
{
    public static ByteString Text(string value) => ByteString.CopyFromUtf8(value);

    public static IpAddress V4(string address) => new() { Ipver = IpVersion.Ipv4, Address = Text(address) };

    public static IpAddress V6(string address) => new() { Ipver = IpVersion.Ipv6, Address = Text(address) };

    public static Prefix Prefix(string address, uint length) =>
        new() { Ip = address.Contains(':', StringComparison.Ordinal) ? V6(address) : V4(address), Length = length };

    public static Route Route(string prefix, uint length, string nextHop, uint nextHopVni = 0) =>
        new() { Prefix = Prefix(prefix, length), NexthopAddress = V6(nextHop), NexthopVni = nextHopVni };

    public static CreateInterfaceRequest Interface(string id, uint vni, string ipv4, string ipv6 = "::", string device = "vf0") => new()
    {
        InterfaceId = Text(id),
        Vni = vni,
        Ipv4Config = new IpConfig { PrimaryAddress = Text(ipv4) },
        Ipv6Config = new IpConfig { PrimaryAddress = Text(ipv6) },
        DeviceName = device,
    };

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Asserts the embedded dpservice status (code and symbolic name).</summary>
    public static void AssertStatus(Grpc.V1.Status status, uint code, string name)
    {
        Assert.NotNull(status);
        Assert.True(status.Code == code && status.Message == name,
            $"expected status {code} {name}, got {status.Code} {status.Message}");
    }

    public static void AssertOk(Grpc.V1.Status status) => AssertStatus(status, 0, "Success");

    /// <summary>Asserts that <paramref name="call"/> fails with INVALID_ARGUMENT and exactly <paramref name="message"/>.</summary>
    public static async Task AssertInvalidAsync(Func<Task> call, string message)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == StatusCode.InvalidArgument && ex.Status.Detail == message,
            $"expected INVALID_ARGUMENT '{message}', got {ex.StatusCode} '{ex.Status.Detail}'");
    }
}
