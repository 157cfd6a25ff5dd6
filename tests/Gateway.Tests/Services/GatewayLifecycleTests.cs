using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Net.Client;
using IronOrleans.Gateway.Networking.V1;
using IronOrleans.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IronOrleans.Gateway.Tests.Services;

/// <summary>Metrics of the interceptor and the end of watches when a Gateway stops (a second Gateway on the same cluster).</summary>
[Trait("Category", "Cluster")]
public sealed class GatewayLifecycleTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Calls_AreCounted_ByMethodAndStatus()
    {
        var app = await GatewayFixture.StartGatewayAsync(
            fixture.Postgres.ConnectionString, fixture.Cluster.Options.ClusterId, fixture.Cluster.Options.ServiceId);
        try
        {
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            var seen = new List<(string Instrument, string? Method, string? Status)>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "IronOrleans.Gateway" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
            {
                string? method = null, status = null;
                foreach (var tag in tags)
                {
                    method = tag.Key == "rpc.method" ? tag.Value as string : method;
                    status = tag.Key == "rpc.grpc.status_code" ? tag.Value as string : status;
                }

                lock (seen)
                {
                    seen.Add((instrument.Name, method, status));
                }
            });
            listener.Start();

            using var channel = GrpcChannel.ForAddress(AddressOf(app));
            var networks = new NetworkService.NetworkServiceClient(channel);
            var ns = Names.Namespace();
            await networks.CreateNetworkAsync(new CreateNetworkRequest { Metadata = new ObjectMetadata { Namespace = ns, Name = "n" } }, Names.Call());
            await RpcAssert.FailsAsync(StatusCode.NotFound,
                () => networks.GetNetworkAsync(new GetNetworkRequest { Namespace = ns, Name = "missing" }, Names.Call()).ResponseAsync);

            lock (seen)
            {
                Assert.Contains(("ironorleans.gateway.requests", "/ironorleans.networking.v1.NetworkService/CreateNetwork", "OK"), seen);
                Assert.Contains(("ironorleans.gateway.requests", "/ironorleans.networking.v1.NetworkService/GetNetwork", "NotFound"), seen);
                Assert.Contains(("ironorleans.gateway.errors", "/ironorleans.networking.v1.NetworkService/GetNetwork", "NotFound"), seen);
                Assert.DoesNotContain(seen, s => s.Instrument == "ironorleans.gateway.errors" && s.Status == "OK");
            }
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stopping_EndsOpenWatches_WithUnavailable()
    {
        var app = await GatewayFixture.StartGatewayAsync(
            fixture.Postgres.ConnectionString, fixture.Cluster.Options.ClusterId, fixture.Cluster.Options.ServiceId);
        using var channel = GrpcChannel.ForAddress(AddressOf(app));
        try
        {
            var provider = new Provider.V1.ProviderService.ProviderServiceClient(channel);
            using var call = provider.WatchNetworkInterfaces(new Provider.V1.WatchNetworkInterfacesRequest { Node = Names.Node() }, Names.Call());
            var synced = await StreamReading.NextAsync(call.ResponseStream, "SYNCED of an empty node");
            Assert.Equal(Provider.V1.WatchEventType.Synced, synced.Type);

            var stopping = app.StopAsync(TestContext.Current.CancellationToken);
            var status = await RpcAssert.FailsAsync(StatusCode.Unavailable,
                () => StreamReading.NextAsync(call.ResponseStream, "the end of the watch"), "GATEWAY_SHUTTING_DOWN");
            Assert.NotNull(status);
            await stopping.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static Uri AddressOf(Microsoft.AspNetCore.Builder.WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
}
