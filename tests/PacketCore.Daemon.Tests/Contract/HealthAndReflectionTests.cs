using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using IronOrleans.PacketCore.Daemon.Tests.Infrastructure;

namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

public sealed class HealthAndReflectionTests
{
    [Fact]
    public async Task Health_reports_serving_before_and_after_Initialize()
    {
        await using var host = await DaemonHost.StartAsync();
        var health = new Health.HealthClient(host.Channel);

        foreach (var service in new[] { string.Empty, ContractScope.Service })
        {
            var reply = await CheckWithRetryAsync(health, service);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }

        await host.Client.InitializeAsync(new IronOrleans.PacketCore.Grpc.V1.InitializeRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var after = await CheckWithRetryAsync(health, ContractScope.Service);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, after.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_contract_and_health()
    {
        await using var host = await DaemonHost.StartAsync();
        var reflection = new ServerReflection.ServerReflectionClient(host.Channel);
        using var call = reflection.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken), "no reflection response");
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains(ContractScope.Service, names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    // Health results are published by a background publisher; the first Check may race it. Bounded retry.
    private static async Task<HealthCheckResponse> CheckWithRetryAsync(Health.HealthClient health, string service)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HealthCheckResponse? last = null;
        for (var attempt = 0; attempt < 100 && DateTime.UtcNow < deadline; attempt++)
        {
            last = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: TestContext.Current.CancellationToken);
            if (last.Status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                return last;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"health for '{service}' stayed {last?.Status} for 20 s");
    }
}
