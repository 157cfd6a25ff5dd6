using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace IronOrleans.Silo.Tests;

/// <summary>The silo host's Orleans transaction settings (built, not started).</summary>
public sealed class TransactionSettingsTests
{
    [Fact]
    public void SiloHost_PingsAnUnconfirmedTransactionManagerAfterFiveSeconds_NotSixty()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ironorleans"] = "Host=127.0.0.1;Database=unused;Username=postgres",
        });
        builder.AddIronOrleansSilo();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<TransactionalStateOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), options.RemoteTransactionPingFrequency);
        Assert.Equal(PostgresSiloBuilderExtensions.RemoteTransactionPingFrequency, options.RemoteTransactionPingFrequency);
        Assert.Equal(TransactionalStateOptions.DefaultLockTimeout, options.LockTimeout); // the others stay Orleans' defaults
    }
}
