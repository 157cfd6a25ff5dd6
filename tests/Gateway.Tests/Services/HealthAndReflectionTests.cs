using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using IronOrleans.Gateway.Tests.Infrastructure;

namespace IronOrleans.Gateway.Tests.Services;

[Trait("Category", "Cluster")]
public sealed class HealthAndReflectionTests(GatewayFixture fixture)
{
    public static TheoryData<string> HealthServices() =>
    [
        "",
        "ironorleans.networking.v1.NetworkService",
        "ironorleans.networking.v1.VirtualIpService",
        "ironorleans.networking.v1.NetworkInterfaceService",
        "ironorleans.provider.v1.ProviderService",
    ];

    [Theory]
    [MemberData(nameof(HealthServices))]
    public async Task Health_ReportsServing_WhileConnectedToTheCluster(string service)
    {
        var health = new Health.HealthClient(fixture.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest { Service = service }, Names.Call());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListsTheServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Channel);
        using var call = reflection.ServerReflectionInfo(Names.Call());
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        var response = await StreamReading.NextAsync(call.ResponseStream, "the reflection service list");
        var names = response.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("ironorleans.networking.v1.NetworkService", names);
        Assert.Contains("ironorleans.networking.v1.VirtualIpService", names);
        Assert.Contains("ironorleans.networking.v1.NetworkInterfaceService", names);
        Assert.Contains("ironorleans.provider.v1.ProviderService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }
}
