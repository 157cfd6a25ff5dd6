using System.Data.Common;

namespace IronOrleans.Grains.Tests;

public sealed class PostgresStorageConnectionTests
{
    [Fact]
    public void Tune_AddsAutoPrepareAndNoReset_AndKeepsTheRest()
    {
        var tuned = Parse(PostgresStorageConnection.Tune("Host=127.0.0.1;Port=5433;Username=postgres;Database=ironorleans"));

        Assert.Equal("32", tuned["Max Auto Prepare"].ToString());
        Assert.Equal("True", tuned["No Reset On Close"].ToString());
        Assert.Equal("127.0.0.1", tuned["Host"]);
        Assert.Equal("5433", tuned["Port"]);
        Assert.Equal("ironorleans", tuned["Database"]);
    }

    [Fact]
    public void Tune_KeepsWhatTheOperatorSet()
    {
        var tuned = Parse(PostgresStorageConnection.Tune("Host=db;max auto prepare=0;No Reset On Close=false"));

        Assert.Equal("0", tuned["Max Auto Prepare"].ToString());
        Assert.Equal("false", tuned["No Reset On Close"].ToString());
    }

    private static DbConnectionStringBuilder Parse(string connectionString) => new() { ConnectionString = connectionString };
}
