using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IronOrleans.Silo.Database;

/// <summary>
/// Applies IronOrleans' own PostgreSQL schema for Orleans' ADO.NET providers: the tables and the
/// <c>OrleansQuery</c> rows for grain persistence and cluster membership.
/// </summary>
/// <remarks>
/// The scripts are embedded resources (<c>Database/Sql/NNNN_name.sql</c>) and every one is idempotent.
/// <see cref="ApplyAsync(string, CancellationToken)"/> runs, in one transaction and under a transaction-scoped
/// advisory lock (so silos starting together do not race), each script that the version table
/// <c>ironorleans_schema_version</c> does not yet list with the same checksum. A script whose text changed is
/// therefore applied again, which is how a newer build refreshes query texts.
/// </remarks>
public static partial class PostgresSchema
{
    /// <summary>Key of the advisory lock that serialises migrations within one database.</summary>
    public const long AdvisoryLockKey = 0x4972_6F6E_4F72_6C31; // "IronOrl1"

    /// <summary>Table that records the applied scripts.</summary>
    public const string VersionTable = "ironorleans_schema_version";

    private const string ResourcePrefix = "IronOrleans.Silo.Database.Sql.";

    private static readonly Lazy<IReadOnlyList<SchemaScript>> LazyScripts = new(LoadScripts);

    /// <summary>The embedded scripts, in the order they are applied.</summary>
    public static IReadOnlyList<SchemaScript> Scripts => LazyScripts.Value;

    /// <summary>Applies the schema to the database named in <paramref name="connectionString"/>.</summary>
    /// <returns>The scripts that were applied by this call (empty when the schema was already current).</returns>
    public static Task<IReadOnlyList<SchemaScript>> ApplyAsync(string connectionString, CancellationToken cancellationToken) =>
        ApplyAsync(connectionString, NullLogger.Instance, cancellationToken);

    /// <inheritdoc cref="ApplyAsync(string, CancellationToken)"/>
    public static async Task<IReadOnlyList<SchemaScript>> ApplyAsync(
        string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(
            connection,
            transaction,
            $"""
            CREATE TABLE IF NOT EXISTS {VersionTable}
            (
                version   integer     NOT NULL,
                name      text        NOT NULL,
                checksum  text        NOT NULL,
                appliedon timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT pk_{VersionTable} PRIMARY KEY (version)
            )
            """,
            cancellationToken);

        var recorded = new Dictionary<int, string>();
        await using (var read = new NpgsqlCommand($"SELECT version, checksum FROM {VersionTable}", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        var applied = new List<SchemaScript>();
        foreach (var script in Scripts)
        {
            if (recorded.TryGetValue(script.Version, out var checksum) && checksum == script.Checksum)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
            await using (var record = new NpgsqlCommand(
                $"""
                INSERT INTO {VersionTable} (version, name, checksum) VALUES (@version, @name, @checksum)
                ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, appliedon = now()
                """,
                connection,
                transaction))
            {
                record.Parameters.AddWithValue("version", script.Version);
                record.Parameters.AddWithValue("name", script.Name);
                record.Parameters.AddWithValue("checksum", script.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            applied.Add(script);
            LogScriptApplied(logger, script.Version, script.Name, connection.Database);
        }

        await transaction.CommitAsync(cancellationToken);
        if (applied.Count == 0)
        {
            LogSchemaCurrent(logger, connection.Database, Scripts.Count);
        }

        return applied;
    }

    /// <summary>
    /// Creates the database named in <paramref name="connectionString"/> if it does not exist, connecting to the
    /// server's <c>postgres</c> database to do so. Safe to call concurrently.
    /// </summary>
    /// <returns><see langword="true"/> if this call created the database.</returns>
    public static Task<bool> EnsureDatabaseAsync(string connectionString, CancellationToken cancellationToken) =>
        EnsureDatabaseAsync(connectionString, NullLogger.Instance, cancellationToken);

    /// <inheritdoc cref="EnsureDatabaseAsync(string, CancellationToken)"/>
    public static async Task<bool> EnsureDatabaseAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database;
        if (string.IsNullOrEmpty(database))
        {
            throw new ArgumentException("The connection string names no database (Database=...).", nameof(connectionString));
        }

        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return false;
            }
        }

        try
        {
            await ExecuteAsync(connection, null, $"CREATE DATABASE {QuoteIdentifier(database)}", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it between our check and our CREATE.
            return false;
        }

        LogDatabaseCreated(logger, database);
        return true;
    }

    /// <summary>Quotes a PostgreSQL identifier.</summary>
    internal static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<SchemaScript> LoadScripts()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[ResourcePrefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(fileName.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Embedded schema script '{resource}' is not named NNNN_name.sql.");
            }

            var sql = ReadResource(assembly, resource).ReplaceLineEndings("\n");
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            scripts.Add(new SchemaScript(version, fileName[(separator + 1)..], sql, checksum));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException($"Two embedded schema scripts share version {scripts[i].Version}.");
            }
        }

        return scripts.Count > 0 ? scripts : throw new InvalidOperationException("No embedded schema scripts were found.");
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
