using Orleans.Transactions.Abstractions;

namespace IronOrleans.ControlPlane.Benchmarks;

/// <summary>State of a storage probe: what a minimal resource record costs to persist.</summary>
[GenerateSerializer, Alias("ironorleans.bench.probe-state")]
public sealed class StorageProbeState
{
    [Id(0)] public string? Name { get; set; }

    [Id(1)] public Guid Uid { get; set; }
}

/// <summary>
/// The floor under any design that keeps each resource in its own Orleans grain-storage row: a fresh activation reads its row,
/// then writes it once (plain grain storage) or commits a single-participant transaction (transactional state).
/// </summary>
[Alias("ironorleans.bench.IStorageProbeGrain")]
public interface IStorageProbeGrain : IGrainWithStringKey
{
    [Alias("create")]
    Task<bool> CreateAsync();

    [Transaction(TransactionOption.Create), Alias("create-tx")]
    Task<bool> CreateTransactionalAsync();
}

internal sealed class StorageProbeGrain(
    [PersistentState("probe", IronOrleans.Grains.IronOrleansNames.GrainStorage)] IPersistentState<StorageProbeState> plain,
    [TransactionalState("probe-tx", IronOrleans.Grains.IronOrleansNames.TransactionStore)] ITransactionalState<StorageProbeState> transactional)
    : Grain, IStorageProbeGrain
{
    public async Task<bool> CreateAsync()
    {
        if (plain.RecordExists)
        {
            return false;
        }

        plain.State = new StorageProbeState { Name = this.GetPrimaryKeyString(), Uid = Guid.NewGuid() };
        await plain.WriteStateAsync();
        return true;
    }

    public Task<bool> CreateTransactionalAsync()
        => transactional.PerformUpdate(s =>
        {
            if (s.Name is not null)
            {
                return false;
            }

            s.Name = this.GetPrimaryKeyString();
            s.Uid = Guid.NewGuid();
            return true;
        });
}

/// <summary>A stateless grain: the cost of a fresh activation and one call, with no storage.</summary>
[Alias("ironorleans.bench.IActivationProbeGrain")]
public interface IActivationProbeGrain : IGrainWithStringKey
{
    [Alias("touch")]
    Task<bool> TouchAsync();
}

internal sealed class ActivationProbeGrain : Grain, IActivationProbeGrain
{
    public Task<bool> TouchAsync() => Task.FromResult(true);
}
