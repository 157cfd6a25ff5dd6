using IronOrleans.Grains;
using Orleans.Transactions.Abstractions;

namespace IronOrleans.Silo.Tests.Grains;

/// <summary>Plain persistent state on the <see cref="IronOrleansNames.GrainStorage"/> provider.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<int> Get();

    Task<string?> GetETag();

    Task Clear();
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }
}

public sealed class CounterGrain(
    [PersistentState("counter", IronOrleansNames.GrainStorage)] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<int> Increment()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);

    public Task<string?> GetETag() => Task.FromResult(state.Etag);

    public Task Clear() => state.ClearStateAsync();
}

/// <summary>An account whose balance is transactional state on <see cref="IronOrleansNames.TransactionStore"/>.</summary>
public interface IAccountGrain : IGrainWithStringKey
{
    [Transaction(TransactionOption.Join)]
    Task Deposit(int amount);

    [Transaction(TransactionOption.Join)]
    Task Withdraw(int amount);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<int> GetBalance();
}

[GenerateSerializer]
public sealed class Balance
{
    [Id(0)]
    public int Value { get; set; }
}

public sealed class AccountGrain(
    [TransactionalState("balance", IronOrleansNames.TransactionStore)] ITransactionalState<Balance> balance) : Grain, IAccountGrain
{
    public Task Deposit(int amount) => balance.PerformUpdate(b => b.Value += amount);

    public Task Withdraw(int amount) => balance.PerformUpdate(b =>
    {
        if (b.Value < amount)
        {
            throw new InvalidOperationException($"Balance {b.Value} is below {amount}.");
        }

        b.Value -= amount;
    });

    public Task<int> GetBalance() => balance.PerformRead(b => b.Value);
}

/// <summary>Moves money between two accounts in one transaction: deposit first, then withdraw.</summary>
public interface ITransferGrain : IGrainWithIntegerKey
{
    [Transaction(TransactionOption.Create)]
    Task Transfer(string from, string to, int amount);
}

public sealed class TransferGrain : Grain, ITransferGrain
{
    public async Task Transfer(string from, string to, int amount)
    {
        await GrainFactory.GetGrain<IAccountGrain>(to).Deposit(amount);
        await GrainFactory.GetGrain<IAccountGrain>(from).Withdraw(amount);
    }
}
