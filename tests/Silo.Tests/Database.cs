using Npgsql;

namespace IronOrleans.Silo.Tests;

/// <summary>Small helpers to look into the test database directly.</summary>
internal static class Database
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Number of membership rows of <paramref name="clusterId"/> with <paramref name="status"/> (3 = Active, 6 = Dead).</summary>
    public static Task<long> MembersAsync(string connectionString, string clusterId, int status) =>
        ScalarAsync<long>(
            connectionString,
            "SELECT count(*) FROM orleans_membership WHERE deploymentid = @cluster AND status = @status",
            ("cluster", clusterId),
            ("status", status));
}
