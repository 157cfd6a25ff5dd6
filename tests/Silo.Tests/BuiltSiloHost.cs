using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronOrleans.Silo.Tests;

/// <summary>Options as the silo host resolves them: <c>AddIronOrleansSilo</c> built (not started) over the given configuration.</summary>
internal static class BuiltSiloHost
{
    public static T OptionsOf<T>(Dictionary<string, string?> values)
        where T : class
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ironorleans"] = "Host=127.0.0.1;Database=unused;Username=postgres",
        });
        builder.Configuration.AddInMemoryCollection(values);
        builder.AddIronOrleansSilo();
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<T>>().Value;
    }
}
