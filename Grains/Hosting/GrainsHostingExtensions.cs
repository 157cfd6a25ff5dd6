
namespace Orleans.Hosting;

/// <summary>Registers IronOrleans' cluster grains and the services they need.</summary>
public static class GrainsHostingExtensions
{
    /// <summary>
    /// Adds the IronOrleans grains. The silo must provide grain storage named
    /// <c>Default</c> and <c>TransactionStore</c> (the Silo host wires both to PostgreSQL),
    /// and transactions must be enabled.
    /// </summary>
    public static ISiloBuilder AddIronOrleansGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
