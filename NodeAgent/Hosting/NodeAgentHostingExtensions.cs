using System.Net;
using IronOrleans.Grains;
using IronOrleans.Grains.Placement;
using IronOrleans.NodeAgent;
using IronOrleans.NodeAgent.DataPlane;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Microsoft.Extensions.Hosting;

/// <summary>Entry point of the NodeAgent host.</summary>
public static class NodeAgentHostingExtensions
{
    /// <summary>
    /// Makes this process the NodeAgent of the configured nodes: an Orleans silo (named after its nodes,
    /// PostgreSQL membership) hosting one node-local agent grain per node, each driving its node's PacketCore.
    /// </summary>
    /// <remarks>
    /// Membership failure detection is IronOrleans' (<see cref="IronOrleansMembership"/>: a killed NodeAgent is declared Dead in
    /// 1-2 s), overridable under <c>IronOrleans:Membership</c>.
    /// </remarks>
    public static TBuilder AddNodeAgent<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(NodeDataPlanes)))
        {
            return builder;
        }

        var configuration = builder.Configuration;
        var agent = new NodeAgentOptions();
        configuration.GetSection(NodeAgentOptions.SectionName).Bind(agent);
        if (agent.Check() is { } problem)
        {
            throw new OptionsValidationException(NodeAgentOptions.SectionName, typeof(NodeAgentOptions), [problem]);
        }

        var host = configuration.GetSection(NodeAgentHostOptions.SectionName).Get<NodeAgentHostOptions>() ?? new NodeAgentHostOptions();
        var connectionString = configuration.GetConnectionString("ironorleans");

        AddNodeAgentServices(services);
        builder.UseOrleans(silo =>
        {
            ConfigureNodeAgentSilo(silo, agent);

            // The same failure detection as the control silos (Silo/Hosting/PostgresSiloBuilderExtensions.cs).
            silo.Services.AddIronOrleansMembership(configuration);

            if (string.IsNullOrWhiteSpace(configuration["Orleans:ClusterId"]))
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = host.ClusterId;
                    o.ServiceId = host.ServiceId;
                });
            }

            if (!configuration.GetSection("Orleans:Endpoints").Exists())
            {
                silo.ConfigureEndpoints(IPAddress.Parse(host.AdvertisedIPAddress), host.SiloPort, gatewayPort: 0);
            }

            var clusteringFromConfig = !string.IsNullOrWhiteSpace(configuration["Orleans:Clustering:ProviderType"]);
            if (!clusteringFromConfig)
            {
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new OptionsValidationException("ConnectionStrings:ironorleans", typeof(NodeAgentOptions),
                        ["the NodeAgent needs ConnectionStrings:ironorleans (PostgreSQL) to join the cluster"]);
                }

                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = IronOrleansNames.PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
            }

            // Stream pub-sub and any system grain placed here need the shared stores.
            var storageConnection = connectionString ?? configuration.GetConnectionString(configuration["Orleans:Clustering:ServiceKey"] ?? "ironorleans");
            storageConnection = storageConnection is null ? null : PostgresStorageConnection.Tune(storageConnection);
            foreach (var name in (string[])[IronOrleansNames.GrainStorage, IronOrleansNames.PubSubStore])
            {
                // Same binary format as the Silo's stores (Silo/Hosting/PostgresSiloBuilderExtensions.cs): both read each other's rows.
                silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> ob) => ob.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = IronOrleansNames.PostgresInvariant;
                    o.ConnectionString = storageConnection;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            }

            var poll = configuration.GetValue<TimeSpan?>(IronOrleansNames.StreamPollPeriodKey) ?? IronOrleansNames.DefaultStreamPollPeriod;
            silo.AddMemoryStreams(IronOrleansNames.StreamProvider, streams =>
                streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = poll)));
        });

        return builder;
    }

    /// <summary>
    /// The NodeAgent's services (options from <see cref="NodeAgentOptions.SectionName"/>, the nodes' data planes, and the
    /// hosted service that registers nodes, starts their agents and ticks them), without any Orleans hosting.
    /// Hosts that build their own silo (tests, simulations) call this plus <see cref="ConfigureNodeAgentSilo"/>.
    /// </summary>
    public static IServiceCollection AddNodeAgentServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(NodeDataPlanes)))
        {
            return services;
        }

        services.AddOptions<NodeAgentOptions>().BindConfiguration(NodeAgentOptions.SectionName)
            .Validate(o => o.Check() is null, "IronOrleans:NodeAgent is invalid").ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<NodeDataPlanes>();
        services.AddSingleton<NodeAgentInstruments>();
        services.AddHostedService<NodeAgentService>();
        return services;
    }

    /// <summary>Orleans' memory-stream queue grain and stream pub-sub rendezvous grain (not hosted by NodeAgent silos).</summary>
    internal static bool IsClusterStreamingGrain(Type grainClass)
        => grainClass == typeof(Orleans.Providers.MemoryStreamQueueGrain) || grainClass.FullName == "Orleans.Streams.PubSubRendezvousGrain";

    /// <summary>Names the silo after its nodes (membership then tells which nodes a dead silo served) and adds node-local placement.</summary>
    public static ISiloBuilder ConfigureNodeAgentSilo(ISiloBuilder silo, NodeAgentOptions agent)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(agent);
        // PostConfigure: the silo name must win over any host default (test hosts name silos themselves).
        silo.Services.PostConfigure<SiloOptions>(o => o.SiloName = NodeAgentSilo.SiloName(agent.Nodes.Select(n => n.Name)));
        NodeLocalPlacementDirector.Register(silo.Services);

        // Orleans places the cluster's memory-stream queues and stream pub-sub grains on any silo that offers them. On a
        // hypervisor's silo, its death (a crashed agent, a rebooted host) lost every queued event of the streams hashed to
        // those queues, and every silo's pulling agents logged errors until they moved. Hypervisors are the cluster's
        // most numerous and least durable members, so they do not offer these grains; the control silos host them.
        silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.RemoveWhere(IsClusterStreamingGrain));

        // Every silo must know the directories the cluster's grain types name (route tables and NodeAgent grains use this one), also silos
        // that only call them. Skipped when the control grains' registration (AddIronOrleansGrains) already added it.
        if (!silo.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, IronOrleansNames.ConsistentDirectory)))
        {
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10; see IronOrleansNames.ConsistentDirectory
            silo.AddDistributedGrainDirectory(IronOrleansNames.ConsistentDirectory);
#pragma warning restore ORLEANSEXP003
        }

        return silo;
    }
}
