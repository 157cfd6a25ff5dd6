using System.Net;
using IronOrleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace IronOrleans.Silo.Tests;

/// <summary>
/// Orleans' ADO.NET membership table and gateway list provider driven directly against our query texts: table
/// version (optimistic concurrency), insert/update/heartbeat, suspect times, gateways, cleanup and delete.
/// </summary>
public sealed class MembershipTableContractTests(PostgresServerFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MembershipTable_FollowsTheTableVersionContract()
    {
        var (table, clusterId, connectionString) = await CreateTableAsync();
        var empty = await table.ReadAllAsync(Ct);
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        var first = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next(), Ct));
        // The same version again (another writer got there first) and the same silo again both fail.
        Assert.False(await table.InsertRowAsync(Entry(11112, SiloStatus.Joining), empty.Version.Next(), Ct));
        var afterInsert = await table.ReadAllAsync(Ct);
        Assert.Equal(1, afterInsert.Version.Version);
        Assert.False(await table.InsertRowAsync(first, afterInsert.Version.Next(), Ct));

        var (read, etag) = Assert.Single(afterInsert.Members);
        Assert.Equal(first.SiloAddress, read.SiloAddress);
        Assert.Equal((first.SiloName, first.HostName, first.ProxyPort, SiloStatus.Joining), (read.SiloName, read.HostName, read.ProxyPort, read.Status));
        Assert.Equal(Micros(first.StartTime), Micros(read.StartTime));
        Assert.Equal(DateTimeKind.Utc, read.StartTime.Kind);

        read.Status = SiloStatus.Active;
        read.AddOrUpdateSuspector(SiloAddress.New(IPAddress.Loopback, 22222, 7), DateTime.UtcNow, 10);
        Assert.True(await table.UpdateRowAsync(read, etag, afterInsert.Version.Next(), Ct));
        Assert.False(await table.UpdateRowAsync(read, etag, afterInsert.Version.Next(), Ct));

        var afterUpdate = await table.ReadRowAsync(first.SiloAddress, Ct);
        Assert.Equal(2, afterUpdate.Version.Version);
        var updated = Assert.Single(afterUpdate.Members).Item1;
        Assert.Equal(SiloStatus.Active, updated.Status);
        var suspect = Assert.Single(updated.SuspectTimes!);
        Assert.Equal(SiloAddress.New(IPAddress.Loopback, 22222, 7), suspect.Item1);

        // The heartbeat changes IAmAliveTime only, not the table version.
        var alive = DateTime.UtcNow.AddSeconds(5);
        updated.IAmAliveTime = alive;
        await table.UpdateIAmAliveAsync(updated, Ct);
        var afterHeartbeat = await table.ReadRowAsync(first.SiloAddress, Ct);
        Assert.Equal(2, afterHeartbeat.Version.Version);
        Assert.Equal(Micros(alive), Micros(Assert.Single(afterHeartbeat.Members).Item1.IAmAliveTime));

        // Reading a silo that is not in the table still returns the version.
        var unknown = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 1, 1), Ct);
        Assert.Empty(unknown.Members);
        Assert.Equal(2, unknown.Version.Version);

        Assert.Equal(1L, await Database.MembersAsync(connectionString, clusterId, status: (int)SiloStatus.Active));
    }

    [Fact]
    public async Task GatewaysCleanupAndDelete_SelectTheRightRows()
    {
        var (table, clusterId, connectionString) = await CreateTableAsync();
        var old = DateTime.UtcNow.AddHours(-2);
        await InsertAsync(table, Entry(11111, SiloStatus.Active, proxyPort: 30001));
        await InsertAsync(table, Entry(11112, SiloStatus.Active, proxyPort: 0));
        await InsertAsync(table, Entry(11113, SiloStatus.Dead, proxyPort: 30003, time: old));
        await InsertAsync(table, Entry(11114, SiloStatus.Joining, proxyPort: 30004, time: old));

        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = IronOrleansNames.PostgresInvariant, ConnectionString = connectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "svc" }));
        await gateways.InitializeGatewayListProviderAsync(Ct);
        var uri = Assert.Single(await gateways.GetGatewaysAsync(Ct));
        Assert.Equal(30001, uri.Port);

        // Only Dead rows older than the cut-off go; the old Joining row waits for the membership protocol.
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1), Ct);
        var remaining = (await table.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order();
        Assert.Equal([11111, 11112, 11114], remaining);

        await table.DeleteMembershipTableEntriesAsync(clusterId, Ct);
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            connectionString, "SELECT count(*) FROM orleans_membership_version WHERE deploymentid = @cluster", ("cluster", clusterId)));
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        Assert.Empty((await table.ReadAllAsync(Ct)).Members);
    }

    private async Task<(AdoNetClusteringTable Table, string ClusterId, string ConnectionString)> CreateTableAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("membership", cancellationToken: Ct);
        var clusterId = "contract-" + Guid.NewGuid().ToString("N")[..8];
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "svc" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = IronOrleansNames.PostgresInvariant, ConnectionString = connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        return (table, clusterId, connectionString);
    }

    private static async Task InsertAsync(AdoNetClusteringTable table, MembershipEntry entry)
    {
        var current = await table.ReadAllAsync(Ct);
        Assert.True(await table.InsertRowAsync(entry, current.Version.Next(), Ct));
    }

    private static MembershipEntry Entry(int port, SiloStatus status, int proxyPort = 30000, DateTime? time = null)
    {
        var now = time ?? DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 42),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = status,
            ProxyPort = proxyPort,
            StartTime = now,
            IAmAliveTime = now,
        };
    }

    /// <summary>PostgreSQL keeps microseconds; .NET ticks are 100 ns.</summary>
    private static long Micros(DateTime value) => value.Ticks / 10;
}
