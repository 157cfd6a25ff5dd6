using IronOrleans.Silo.Database;
using Microsoft.Extensions.Options;

namespace IronOrleans.Silo;

/// <summary>Command-line verbs of the silo executable other than running the silo.</summary>
public static partial class SiloCommands
{
    /// <summary>Configuration key of the <c>--connection-string</c> command-line option.</summary>
    public const string ConnectionStringArgument = "connection-string";

    /// <summary>
    /// <c>IronOrleans.Silo migrate [--connection-string "..."]</c>: creates the database if missing, applies the
    /// schema and returns the process exit code (0 on success). Without the option the connection string comes from
    /// configuration as for the silo (<c>ConnectionStrings__ironorleans</c> or <c>IronOrleans__Database__ConnectionString</c>).
    /// </summary>
    public static async Task<int> MigrateAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(args);
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IronOrleans.Silo.Migrate");

        var options = DatabaseOptions.FromConfiguration(builder.Configuration);
        var fromArgument = builder.Configuration[ConnectionStringArgument];
        if (!string.IsNullOrWhiteSpace(fromArgument))
        {
            options.ConnectionString = fromArgument;
        }

        try
        {
            SiloOptionsValidator.ThrowIfInvalid(options);
            await PostgresSchema.EnsureDatabaseAsync(options.ConnectionString!, logger, cancellationToken);
            var applied = await PostgresSchema.ApplyAsync(options.ConnectionString!, logger, cancellationToken);
            LogMigrated(logger, applied.Count);
            return 0;
        }
        catch (OptionsValidationException e)
        {
            LogInvalidOptions(logger, e.Message);
            return 2;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or ArgumentException)
        {
            LogMigrationFailed(logger, e);
            return 1;
        }
    }
}
