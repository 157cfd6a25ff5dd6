using IronOrleans.Grains;
using IronOrleans.Silo.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Orleans.Transactions;

namespace IronOrleans.Silo.Tests;

/// <summary>ADO.NET clustering, persistence and transactions of a 2-silo cluster on real PostgreSQL.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterTests(TwoSiloClusterFixture fixture) : IClassFixture<TwoSiloClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private TestCluster Cluster => fixture.Cluster;

    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task BothSilos_AreActiveInThePostgresMembershipTable()
    {
        await Wait.UntilAsync(
            async () => await Database.MembersAsync(fixture.ConnectionString, Cluster.Options.ClusterId, status: 3) == 2,
            Timeout,
            "two Active rows in orleans_membership");

        var hosts = await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        Assert.Equal(2L, await Database.ScalarAsync<long>(
            fixture.ConnectionString,
            "SELECT count(*) FROM orleans_membership WHERE deploymentid = @cluster AND proxyport > 0",
            ("cluster", Cluster.Options.ClusterId)));
    }

    [Fact]
    public async Task PersistentGrain_WritesReadsAndClearsThroughPostgres()
    {
        var key = "counter-" + Guid.NewGuid().ToString("N");
        var grain = Grains.GetGrain<ICounterGrain>(key);

        Assert.Equal(1, await grain.Increment());
        Assert.Equal(2, await grain.Increment());
        Assert.Equal("2", await grain.GetETag());

        // A fresh activation reads the state back from the database.
        await Cluster.DeactivateAsync(grain);
        Assert.Equal(2, await grain.Get());
        Assert.Equal(2, await Database.ScalarAsync<int>(
            fixture.ConnectionString,
            "SELECT version FROM orleans_grain_state WHERE grainidextensionstring = @key",
            ("key", key)));

        await grain.Clear();
        Assert.Equal("3", await grain.GetETag());
        await Cluster.DeactivateAsync(grain);
        Assert.Equal(0, await grain.Get());
        Assert.Equal(1, await grain.Increment());
        Assert.Equal("4", await grain.GetETag());
    }

    [Fact]
    public async Task GrainStorage_StaleETag_ThrowsInconsistentStateException()
    {
        var storage = Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(IronOrleansNames.GrainStorage);
        const string grainType = "ironorleans.silo.tests.etag";
        var grainId = GrainId.Create("etag-test", Guid.NewGuid().ToString("N"));

        var missing = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(grainType, grainId, missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);

        var writer = new GrainState<CounterState>(new CounterState { Value = 7 });
        await storage.WriteStateAsync(grainType, grainId, writer);
        Assert.Equal("1", writer.ETag);
        Assert.True(writer.RecordExists);

        // A second "first write" (no ETag) must not overwrite the existing row.
        var blind = new GrainState<CounterState>(new CounterState { Value = 99 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, grainId, blind));

        var reader = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(grainType, grainId, reader);
        Assert.Equal((7, "1", true), (reader.State!.Value, reader.ETag, reader.RecordExists));

        writer.State = new CounterState { Value = 8 };
        await storage.WriteStateAsync(grainType, grainId, writer);
        Assert.Equal("2", writer.ETag);

        // reader still holds ETag "1": its write and its clear are both stale.
        reader.State = new CounterState { Value = 100 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, grainId, reader));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, grainId, reader));

        await storage.ClearStateAsync(grainType, grainId, writer);
        Assert.Equal(("3", false), (writer.ETag, writer.RecordExists));

        var afterClear = new GrainState<CounterState>(new CounterState { Value = -1 });
        await storage.ReadStateAsync(grainType, grainId, afterClear);
        Assert.Equal((0, "3", false), (afterClear.State!.Value, afterClear.ETag, afterClear.RecordExists));

        // After a clear the row keeps its version without payload; a write with the current ETag recreates it.
        writer.State = new CounterState { Value = 9 };
        await storage.WriteStateAsync(grainType, grainId, writer);
        Assert.Equal(("4", true), (writer.ETag, writer.RecordExists));
        var reread = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(grainType, grainId, reread);
        Assert.Equal((9, "4", true), (reread.State!.Value, reread.ETag, reread.RecordExists));
    }

    [Fact]
    public async Task GrainStorage_WithDeleteStateOnClear_DeletesTheRowAndStartsOver()
    {
        var storage = Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(DeleteOnClearStorage.Name);
        const string grainType = "ironorleans.silo.tests.delete";
        var key = Guid.NewGuid().ToString("N");
        var grainId = GrainId.Create("delete-test", key);

        var state = new GrainState<CounterState>(new CounterState { Value = 5 });
        await storage.WriteStateAsync(grainType, grainId, state);
        state.State = new CounterState { Value = 6 };
        await storage.WriteStateAsync(grainType, grainId, state);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = "1", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, grainId, stale));

        await storage.ClearStateAsync(grainType, grainId, state);
        Assert.Equal((null, false), (state.ETag, state.RecordExists));
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            fixture.ConnectionString, "SELECT count(*) FROM orleans_grain_state WHERE grainidextensionstring = @key", ("key", key)));

        // With the row gone the next write is a first write again.
        state.State = new CounterState { Value = 1 };
        await storage.WriteStateAsync(grainType, grainId, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task Transaction_CommitsAndRollsBackBothParticipants()
    {
        var suffix = Guid.NewGuid().ToString("N");
        var (a, b) = ("acct-a-" + suffix, "acct-b-" + suffix);
        var transfer = Grains.GetGrain<ITransferGrain>(0);
        var transactions = Cluster.Client.ServiceProvider.GetRequiredService<ITransactionClient>();
        await transactions.RunTransaction(TransactionOption.Create, () => Grains.GetGrain<IAccountGrain>(a).Deposit(100));

        await transfer.Transfer(a, b, 30);
        Assert.Equal((70, 30), (await BalanceAsync(a), await BalanceAsync(b)));

        // The deposit into b runs first, then the withdrawal from a fails: both must roll back.
        await Assert.ThrowsAnyAsync<OrleansTransactionAbortedException>(() => transfer.Transfer(a, b, 500));
        Assert.Equal((70, 30), (await BalanceAsync(a), await BalanceAsync(b)));

        // The transactional state lives in PostgreSQL (TransactionStore), one row per account.
        Assert.Equal(2L, await Database.ScalarAsync<long>(
            fixture.ConnectionString,
            "SELECT count(*) FROM orleans_grain_state WHERE grainidextensionstring IN (@a, @b)",
            ("a", a),
            ("b", b)));
    }

    private Task<int> BalanceAsync(string account) => Grains.GetGrain<IAccountGrain>(account).GetBalance();
}
