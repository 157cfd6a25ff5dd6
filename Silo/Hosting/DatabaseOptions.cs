namespace IronOrleans.Silo;

/// <summary>Where the silo's PostgreSQL database is and how the silo treats its schema.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "IronOrleans:Database";

    /// <summary>
    /// Name under <c>ConnectionStrings</c> used when <see cref="ConnectionString"/> is not set
    /// (environment variable <c>ConnectionStrings__ironorleans</c>; Aspire sets it with <c>WithReference</c>).
    /// </summary>
    public const string ConnectionStringName = "ironorleans";

    /// <summary>
    /// Npgsql connection string of the IronOrleans database. Default: <c>ConnectionStrings:ironorleans</c>.
    /// Required.
    /// </summary>
    [RedactConnectionString]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Create the database if missing and apply the schema before the silo starts. Default <see langword="false"/>:
    /// production runs <c>IronOrleans.Silo migrate</c> as a separate step.
    /// </summary>
    public bool MigrateOnStart { get; set; }

    /// <summary>
    /// Reads the options from <paramref name="configuration"/>: the <see cref="SectionName"/> section, with
    /// <c>ConnectionStrings:ironorleans</c> as the fallback connection string.
    /// </summary>
    public static DatabaseOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new DatabaseOptions();
        configuration.GetSection(SectionName).Bind(options);
        ApplyFallbacks(options, configuration);
        return options;
    }

    internal static void ApplyFallbacks(DatabaseOptions options, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            options.ConnectionString = configuration.GetConnectionString(ConnectionStringName);
        }
    }
}
