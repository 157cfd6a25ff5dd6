using IronOrleans.Grains;
using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Placement;
using IronOrleans.Grains.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.GrainDirectory;
using Orleans.Runtime.Hosting;

namespace Orleans.Hosting;

/// <summary>Registers IronOrleans' cluster grains and the services they need.</summary>
public static class GrainsHostingExtensions
{
    /// <summary>
    /// Adds the IronOrleans grains. The silo must provide grain storage named
    /// <see cref="IronOrleansNames.GrainStorage"/>, <see cref="IronOrleansNames.TransactionStore"/> and
    /// <see cref="IronOrleansNames.PubSubStore"/>, the stream provider <see cref="IronOrleansNames.StreamProvider"/>,
    /// and transactions. Allocation options bind from <see cref="AllocationOptions.SectionName"/>.
    /// </summary>
    public static ISiloBuilder AddIronOrleansGrains(this ISiloBuilder builder, Action<AllocationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var optionsBuilder = services.AddOptions<AllocationOptions>().BindConfiguration(AllocationOptions.SectionName);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        builder.AddIronOrleansGrainDirectories();
        if (services.Any(d => d.ServiceType == typeof(GrainsInstruments)))
        {
            return builder;
        }

        optionsBuilder.Validate(o => o.Check() is null, "IronOrleans:Allocation is invalid").ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<GrainsInstruments>();
        services.AddSingleton<IValidateOptions<AllocationOptions>, AllocationOptionsValidator>();
        services.AddHostedService<NodeLivenessWatcher>();
        NodeLocalPlacementDirector.Register(services);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IronOrleansNames.ConsistentDirectory"/> (idempotent). Every silo of the cluster needs it, also
    /// NodeAgent silos, which host none of the grains that use it but resolve them.
    /// </summary>
    public static ISiloBuilder AddIronOrleansGrainDirectories(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, IronOrleansNames.ConsistentDirectory)))
        {
            return builder;
        }

        if (services.Any(d => d.ServiceType.FullName == "Orleans.Runtime.GrainDirectory.DistributedGrainDirectory"))
        {
            // Already the default directory (Orleans' TestClusterBuilder installs it), and Orleans then skips a named
            // registration: name the default one.
            services.AddGrainDirectory(IronOrleansNames.ConsistentDirectory,
                (sp, _) => sp.GetRequiredKeyedService<IGrainDirectory>(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY));
            return builder;
        }

#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10: used only for route tables and NodeAgent grains; see IronOrleansNames.ConsistentDirectory
        return builder.AddDistributedGrainDirectory(IronOrleansNames.ConsistentDirectory);
#pragma warning restore ORLEANSEXP003
    }

    private sealed class AllocationOptionsValidator : IValidateOptions<AllocationOptions>
    {
        public ValidateOptionsResult Validate(string? name, AllocationOptions options)
            => options.Check() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
