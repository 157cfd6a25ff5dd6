namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>A network namespace with a unique name, deleted on dispose (also when the test failed).</summary>
public sealed class NetNs : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private NetNs(string name) => Name = name;

    public string Name { get; }

    public static async Task<NetNs> CreateAsync(string name)
    {
        await Proc.CheckAsync("ip", ["netns", "add", name]);
        var ns = new NetNs(name);
        try
        {
            await ns.CheckAsync("ip", "link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside the namespace (bounded).</summary>
    public Task<Proc.Result> RunAsync(TimeSpan timeout, params string[] command) =>
        Proc.RunAsync("ip", ["netns", "exec", Name, .. command], timeout);

    /// <summary>Runs a command inside the namespace and fails the test if it does not exit 0.</summary>
    public Task<Proc.Result> CheckAsync(params string[] command) =>
        Proc.CheckAsync("ip", ["netns", "exec", Name, .. command], CommandTimeout);

    /// <summary>Starts a long-running command inside the namespace.</summary>
    public Proc.BackgroundProcess Start(params string[] command) => Proc.Start("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Moves <paramref name="device"/> from the root namespace into this one.</summary>
    public Task MoveInAsync(string device) => Proc.CheckAsync("ip", ["link", "set", device, "netns", Name]);

    public async ValueTask DisposeAsync()
    {
        // Processes started with "ip netns exec" are killed by their owners; deleting the namespace destroys its
        // devices (a TAP whose fd the engine still holds moves back to... nothing: it is unregistered).
        await Proc.RunAsync("ip", ["netns", "del", Name], CommandTimeout);
    }
}
