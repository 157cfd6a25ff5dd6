using IronOrleans.Gateway;
using IronOrleans.Gateway.Diagnostics;
using IronOrleans.Gateway.Errors;
using IronOrleans.Gateway.Hosting;
using IronOrleans.Gateway.Services;
using IronOrleans.Gateway.Watch;
using IronOrleans.Grains;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>Entry points of the IronOrleans Gateway: the gRPC front door, an Orleans client of the control plane.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>Configuration key Orleans reads to configure clustering itself (set by Aspire's <c>WithClustering</c>).</summary>
    public const string OrleansClusteringProviderTypeKey = "Orleans:Clustering:ProviderType";

    /// <summary>
    /// Adds the gRPC services (networking and provider APIs, health, reflection), the error-mapping interceptor,
    /// an h2c Kestrel endpoint at <see cref="GatewayHostOptions.Url"/>, and an Orleans client with transactions and the
    /// node streams, configured from <see cref="GatewayHostOptions"/>. Calling it again does nothing.
    /// </summary>
    /// <exception cref="OptionsValidationException">The configuration is incomplete or wrong.</exception>
    public static TBuilder AddIronOrleansGateway<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(GatewayMarker)))
        {
            return builder;
        }

        services.AddSingleton<GatewayMarker>();
        var configuration = builder.Configuration;

        // Validate now: the endpoint and the clustering choice shape the registrations below.
        var options = GatewayHostOptionsValidator.ThrowIfInvalid(ReadOptions(configuration), IsOrleansClusteringConfigured(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayHostOptions>, GatewayHostOptionsValidator>());
        services.AddOptions<GatewayHostOptions>()
            .BindConfiguration(GatewayHostOptions.SectionName)
            .PostConfigure(o => ApplyFallbacks(o, configuration))
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.Configure<KestrelServerOptions>(kestrel => GatewayEndpoint.Listen(kestrel, options.Url));

        services.AddSingleton<GatewayInstruments>();
        services.AddSingleton<NodeWatcher>();
        services.AddSingleton<ClusterConnectionHealth>();
        services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnectionHealth>());

        services.AddGrpc(o => o.Interceptors.Add<ErrorMappingInterceptor>());
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(o =>
            {
                foreach (var name in GatewayServiceNames.All)
                {
                    o.Services.Map(name, r => r.Tags.Contains(ClusterConnectionHealth.Tag));
                }
            })
            .AddCheck<ClusterConnectionHealth>("orleans-cluster", tags: [ClusterConnectionHealth.Tag]);

        builder.UseOrleansClient(client => ConfigureClient(client, configuration, options));

        // Registered after the Orleans client's hosted service, so it runs once the client has connected.
        services.AddHostedService<ClusterConnectedSignal>();
        return builder;
    }

    /// <summary>Maps the gRPC services, gRPC health (<c>grpc.health.v1</c>) and server reflection.</summary>
    public static WebApplication MapIronOrleansGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<NetworkService>();
        app.MapGrpcService<VirtualIpService>();
        app.MapGrpcService<NetworkInterfaceService>();
        app.MapGrpcService<ProviderService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    private static void ConfigureClient(IClientBuilder client, IConfiguration configuration, GatewayHostOptions options)
    {
        var services = client.Services;
        if (string.IsNullOrWhiteSpace(configuration["Orleans:ClusterId"]) || string.IsNullOrWhiteSpace(configuration["Orleans:ServiceId"]))
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = string.IsNullOrWhiteSpace(configuration["Orleans:ClusterId"]) ? options.ClusterId : o.ClusterId;
                o.ServiceId = string.IsNullOrWhiteSpace(configuration["Orleans:ServiceId"]) ? options.ServiceId : o.ServiceId;
            });
        }

        switch (options.ResolveClustering(IsOrleansClusteringConfigured(configuration)))
        {
            case ClusteringMode.Localhost:
                client.UseStaticClustering(options.LocalhostGatewayPorts
                    .Select(p => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, p)).ToArray());
                break;
            case ClusteringMode.AdoNet:
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = IronOrleansNames.PostgresInvariant;
                    o.ConnectionString = options.ConnectionString;
                });
                break;
            default:
                // Orleans configures clustering from the Orleans:Clustering section (Aspire).
                break;
        }

        client.UseTransactions();
        client.AddMemoryStreams(IronOrleansNames.StreamProvider);
        services.AddSingleton<ConnectRetryFilter>();
        services.AddSingleton<IClientConnectionRetryFilter>(sp => sp.GetRequiredService<ConnectRetryFilter>());
        services.ConfigureFormatter<GatewayHostOptions>();
    }

    private static GatewayHostOptions ReadOptions(IConfiguration configuration)
    {
        var options = new GatewayHostOptions();
        configuration.GetSection(GatewayHostOptions.SectionName).Bind(options);
        ApplyFallbacks(options, configuration);
        return options;
    }

    private static void ApplyFallbacks(GatewayHostOptions options, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            options.ConnectionString = configuration.GetConnectionString(GatewayHostOptions.ConnectionStringName);
        }
    }

    private static bool IsOrleansClusteringConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OrleansClusteringProviderTypeKey]);

    private sealed class GatewayMarker;
}
