using Orleans.Configuration;

namespace IronOrleans.Silo.Tests;

/// <summary>The silo host's Orleans transaction settings (built, not started).</summary>
public sealed class TransactionSettingsTests
{
    [Fact]
    public void SiloHost_PingsAnUnconfirmedTransactionManagerAfterFiveSeconds_NotSixty()
    {
        var options = BuiltSiloHost.OptionsOf<TransactionalStateOptions>([]);

        Assert.Equal(TimeSpan.FromSeconds(5), options.RemoteTransactionPingFrequency);
        Assert.Equal(PostgresSiloBuilderExtensions.RemoteTransactionPingFrequency, options.RemoteTransactionPingFrequency);
        Assert.Equal(TransactionalStateOptions.DefaultLockTimeout, options.LockTimeout); // the others stay Orleans' defaults
    }
}
