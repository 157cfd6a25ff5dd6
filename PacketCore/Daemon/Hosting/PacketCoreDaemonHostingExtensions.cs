using System.Net;
using IronOrleans.PacketCore;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Daemon;
using IronOrleans.PacketCore.Daemon.Hosting;
using IronOrleans.PacketCore.Grpc.Services;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The daemon's one wiring entry point: options, engine, gRPC contract, health and reflection.</summary>
public static class PacketCoreDaemonHostingExtensions
{
    /// <summary>Adds everything the daemon hosts. <paramref name="args"/> may use dpservice-style switches.</summary>
    public static WebApplicationBuilder AddPacketCoreDaemon(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        if (builder.Services.Any(d => d.ServiceType == typeof(DaemonMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<DaemonMarker>();

        // The daemon opens real TAP devices unless told otherwise (the engine's own default is in-memory).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new($"{PacketCoreOptions.SectionName}:{nameof(PacketCoreOptions.Backend)}", nameof(PortBackend.Tap))],
        });
        builder.Configuration.AddInMemoryCollection(DaemonCommandLine.Parse(args));

        builder.Services.AddOptions<DaemonOptions>().BindConfiguration(DaemonOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>());

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<DaemonOptions>>().Value;
            var address = IPAddress.TryParse(options.GrpcAddress, out var parsed) ? parsed : IPAddress.Loopback;
            kestrel.Listen(address, options.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);

            // dpservice keeps long-lived health watchers alive with a 15 s keepalive (reference/dpservice.md §1.1).
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(15);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        });

        builder.Services.AddOptions<PacketCoreOptions>().BindConfiguration(PacketCoreOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PacketCoreOptions>, PacketCoreOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new PacketCoreEngine(
            sp.GetRequiredService<IOptions<PacketCoreOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<IPacketCoreControl>(sp => sp.GetRequiredService<PacketCoreEngine>().Control);
        builder.Services.AddHostedService<PacketCoreEngineService>();
        builder.Services.TryAddSingleton<InitializationGate>();
        builder.Services.AddGrpc(o => o.EnableDetailedErrors = false)
            .AddServiceOptions<DpdkIronCoreService>(o => o.Interceptors.Add<InitializationGate>());
        builder.Services.AddGrpcReflection();
        // dpservice reports SERVING as soon as its server runs (reference/dpservice.md §1.1).
        builder.Services.AddGrpcHealthChecks(o =>
            o.Services.Map(IronOrleans.PacketCore.Grpc.V1.DPDKironcore.Descriptor.FullName, _ => true))
            .AddCheck("grpc", () => HealthCheckResult.Healthy("gRPC server running"));
        builder.Services.AddHostedService<DaemonStartupReporter>();
        return builder;
    }

    /// <summary>Maps the gRPC services.</summary>
    public static IEndpointRouteBuilder MapPacketCoreDaemon(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<DpdkIronCoreService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    private sealed class DaemonMarker;
}
