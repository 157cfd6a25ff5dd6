using IronOrleans.AppHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Aspire.Hosting;

/// <summary>The imperative parts of the local cloud, so that AppHost.cs reads like a diagram.</summary>
internal static class Extensions
{
    /// <summary>ADO.NET invariant name of Npgsql, as the IronOrleans hosts use it.</summary>
    private const string NpgsqlInvariant = "Npgsql";

    /// <summary>Reads and checks <see cref="LocalCloudOptions"/>; throws listing every problem.</summary>
    public static LocalCloudOptions GetLocalCloudOptions(this IDistributedApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LocalCloudOptions.SectionName).Get<LocalCloudOptions>() ?? new LocalCloudOptions();
        var problems = options.Check();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(LocalCloudOptions.SectionName, typeof(LocalCloudOptions), problems);
        }

        return options;
    }

    /// <summary>
    /// PostgreSQL 15 as an executable on 127.0.0.1 (run as the <c>postgres</c> user through <c>setpriv</c> when the
    /// AppHost is root), its data directory initialised before any resource starts, healthy once it answers queries.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalCloudOptions options)
    {
        var postgres = new LocalPostgres(options);
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
                postgres.InitializeAsync(e.Services.GetRequiredService<ILogger<LocalPostgres>>(), cancellationToken));
        }

        var check = $"{name}-accepts-queries";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(check, _ => new PostgresReadyHealthCheck(postgres), null, null));

        var (command, arguments) = postgres.ServerCommand();
        return builder.AddResource(new LocalPostgresResource(name, command, postgres))
            .WithArgs(arguments)
            .WithHealthCheck(check);
    }

    /// <summary>
    /// The IronOrleans database on the local server as a connection string resource (<c>ConnectionStrings__&lt;name&gt;</c>),
    /// which Orleans uses through its ADO.NET providers. The schema migration creates the database.
    /// </summary>
    public static IResourceBuilder<ConnectionStringResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server, string name) =>
        server.ApplicationBuilder.AddConnectionString(name, b => b.AppendLiteral(server.Resource.Server.ConnectionString))
            .WithParentRelationship(server)
            .WithOrleansProviderType("AdoNet");

    /// <summary>
    /// What Aspire's <c>WithClustering</c> leaves out for ADO.NET: the Npgsql invariant and the connection string name
    /// (Orleans' ADO.NET provider reads <c>ConnectionName</c>, not <c>ServiceKey</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithNpgsqlClustering(
        this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ConnectionStringResource> database) =>
        builder.WithReference(database)
            .WithEnvironment("Orleans__Clustering__Invariant", NpgsqlInvariant)
            .WithEnvironment("Orleans__Clustering__ConnectionName", database.Resource.Name);

    /// <summary>Silos advertise 127.0.0.1 (else Orleans advertises the first network interface's address).</summary>
    public static IResourceBuilder<ProjectResource> WithLoopbackSiloAddress(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithEnvironment("Orleans__Endpoints__AdvertisedIPAddress", "127.0.0.1");

    /// <summary>
    /// A silo that takes no client connections (NodeAgents: clients talk to the control-plane silos). Must follow
    /// <c>WithReference(orleans)</c>, whose gateway port it overrides.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutOrleansGateway(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithEnvironment("Orleans__Endpoints__GatewayPort", "0");

    /// <summary>An HTTP endpoint whose <c>/health</c> (every check of the service) gates <c>WaitFor</c>.</summary>
    public static IResourceBuilder<ProjectResource> WithHealthEndpoint(this IResourceBuilder<ProjectResource> builder, int? port = null) =>
        builder.WithHttpEndpoint(port: port).WithHttpHealthCheck("/health");

    /// <summary>Adds a link to the Orleans dashboard (<c>/dashboard</c> on the HTTP endpoint) to the resource.</summary>
    public static IResourceBuilder<ProjectResource> WithOrleansDashboardUrl(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithUrls(context =>
        {
            if (context.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == "http") is { } http)
            {
                context.Urls.Add(new ResourceUrlAnnotation { Url = http.Url.TrimEnd('/') + "/dashboard", DisplayText = "Orleans dashboard", Endpoint = http.Endpoint });
            }
        });

    /// <summary>
    /// The Gateway's gRPC endpoint: h2c on 127.0.0.1:<paramref name="port"/> (not proxied, so clients get HTTP/2 end to
    /// end), passed to the Gateway as <c>IronOrleans:Gateway:Url</c>, healthy when its <c>/health</c> answers over h2c.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> builder, int port)
    {
        var url = $"http://127.0.0.1:{port}";
        var check = $"{builder.Resource.Name}-grpc-health";
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(check, _ => new H2cHealthCheck(new Uri(url + "/health")), null, null));
        return builder
            .WithHttpEndpoint(port: port, targetPort: port, name: "grpc", isProxied: false)
            .AsHttp2Service()
            .WithEnvironment("IronOrleans__Gateway__Url", url)
            .WithHealthCheck(check);
    }

    /// <summary>Configures the NodeAgent to serve <paramref name="hypervisor"/> with an in-process PacketCore.</summary>
    public static IResourceBuilder<ProjectResource> AsSimulatedHypervisor(
        this IResourceBuilder<ProjectResource> builder, SimulatedHypervisor hypervisor, bool tap)
    {
        foreach (var (name, value) in hypervisor.Environment(tap))
        {
            builder.WithEnvironment(name, value);
        }

        return builder;
    }

    /// <summary>Logs where the Gateway and the dashboards are once every resource is healthy (see <see cref="LocalCloudReport"/>).</summary>
    public static void AddLocalCloudReport(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ProjectResource> silo,
        params IResourceBuilder<ProjectResource>[] nodeAgents)
    {
        var report = new LocalCloudReportTargets(
            gateway.Resource.GetEndpoint("grpc"),
            silo.Resource.GetEndpoint("http"),
            [silo.Resource.Name, gateway.Resource.Name, .. nodeAgents.Select(n => n.Resource.Name)]);
        builder.Services.AddSingleton(report);
        builder.Services.AddHostedService<LocalCloudReport>();
    }
}
