using System.Net;
using IronOrleans.Silo;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Microsoft.Extensions.Hosting;

/// <summary>Entry point of the IronOrleans silo host.</summary>
public static class SiloHostingExtensions
{
    /// <summary>
    /// Adds an Orleans silo with IronOrleans' grains, PostgreSQL clustering and storage, transactions, streams and
    /// the Orleans dashboard, configured from <see cref="DatabaseOptions"/> and <see cref="SiloHostOptions"/>.
    /// </summary>
    /// <remarks>
    /// Standard Orleans configuration takes precedence over <see cref="SiloHostOptions"/>: <c>Orleans:ClusterId</c>,
    /// <c>Orleans:ServiceId</c>, <c>Orleans:Endpoints</c> and <c>Orleans:Clustering</c> (as Aspire sets them) are used
    /// when present. Calling this twice does nothing the second time.
    /// </remarks>
    /// <exception cref="OptionsValidationException">The configuration is incomplete (for example no connection string).</exception>
    public static TBuilder AddIronOrleansSilo<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(SiloHostMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<SiloHostMarker>();
        var configuration = builder.Configuration;

        // Validate now: the connection string is needed to configure the providers.
        var database = SiloOptionsValidator.ThrowIfInvalid(DatabaseOptions.FromConfiguration(configuration));
        var host = SiloOptionsValidator.ThrowIfInvalid(
            configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions());

        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabaseOptions>, SiloOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloHostOptions>, SiloOptionsValidator>());
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .PostConfigure(o => DatabaseOptions.ApplyFallbacks(o, configuration))
            .ValidateOnStart();
        services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.SectionName).ValidateOnStart();

        builder.UseOrleans(silo =>
        {
            // Orleans' own configuration (Orleans:ClusterId, Orleans:Endpoints, ... as Aspire sets them) wins.
            if (string.IsNullOrWhiteSpace(configuration["Orleans:ClusterId"]) || string.IsNullOrWhiteSpace(configuration["Orleans:ServiceId"]))
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = string.IsNullOrWhiteSpace(configuration["Orleans:ClusterId"]) ? host.ClusterId : o.ClusterId;
                    o.ServiceId = string.IsNullOrWhiteSpace(configuration["Orleans:ServiceId"]) ? host.ServiceId : o.ServiceId;
                });
            }

            if (!configuration.GetSection("Orleans:Endpoints").Exists())
            {
                silo.ConfigureEndpoints(
                    IPAddress.Parse(host.AdvertisedIPAddress), host.SiloPort, host.GatewayPort, host.ListenOnAnyHostAddress);
            }

            silo.UseIronOrleansPostgres(database.ConnectionString!);
            silo.AddIronOrleansGrains();
            silo.AddDashboard();

            if (database.MigrateOnStart)
            {
                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaMigrationParticipant>();
            }

            // Orleans prints every registered formatter's options once at start-up ([RedactConnectionString] hides the password).
            silo.Services.ConfigureFormatter<DatabaseOptions>();
            silo.Services.ConfigureFormatter<SiloHostOptions>();
        });

        return builder;
    }

    private sealed class SiloHostMarker;
}
