using IronOrleans.Grains;
using IronOrleans.Grains.Allocation;
using IronOrleans.Grains.Placement;
using IronOrleans.Grains.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

    private sealed class AllocationOptionsValidator : IValidateOptions<AllocationOptions>
    {
        public ValidateOptionsResult Validate(string? name, AllocationOptions options)
            => options.Check() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
