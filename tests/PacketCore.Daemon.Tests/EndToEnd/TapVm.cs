using System.Globalization;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>
/// A "VM": a network namespace holding one PacketCore TAP port (created by the engine with its name and the port's
/// MAC) configured with the VM's own MAC. Addresses come from PacketCore's DHCP responder via busybox udhcpc.
/// </summary>
public sealed class TapVm : IAsyncDisposable
{
    private TapVm(NetNs ns, string device, string mac)
    {
        Ns = ns;
        Device = device;
        Mac = mac;
    }

    public NetNs Ns { get; }

    public string Device { get; }

    public string Mac { get; }

    /// <summary>Moves the engine's TAP <paramref name="tap"/> into a new namespace, sets the VM MAC and brings it up.</summary>
    public static async Task<TapVm> AttachAsync(string nsName, string tap, string vmMac)
    {
        var ns = await NetNs.CreateAsync(nsName);
        try
        {
            await ns.MoveInAsync(tap);
            await ns.CheckAsync("ip", "link", "set", tap, "address", vmMac);
            await ns.CheckAsync("ip", "link", "set", tap, "up");
            return new TapVm(ns, tap, vmMac);
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs busybox udhcpc once (bounded retries) with <see cref="E2eScripts.UdhcpcScript"/> and returns the
    /// address it configured.
    /// </summary>
    public async Task<string> DhcpAsync(TimeSpan timeout)
    {
        var script = E2eScripts.WriteUdhcpcScript();
        var tries = Math.Max(1, (int)timeout.TotalSeconds / 2);
        var result = await Ns.RunAsync(
            timeout + TimeSpan.FromSeconds(5),
            "busybox", "udhcpc", "-i", Device, "-n", "-q", "-f", "-t", tries.ToString(CultureInfo.InvariantCulture),
            "-T", "1", "-A", "1", "-s", script);
        Assert.True(result.Ok, $"udhcpc in {Ns.Name} got no lease from PacketCore: {result}");
        var bound = result.StdOut.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("BOUND ", StringComparison.Ordinal));
        Assert.True(bound is not null, $"udhcpc script did not report a lease: {result}");
        return bound!.Split(' ')[1];
    }

    /// <summary>Pings once per second, <paramref name="count"/> times; true if any reply came back.</summary>
    public async Task<Proc.Result> PingAsync(string address, int count = 3) =>
        await Ns.RunAsync(TimeSpan.FromSeconds(count + 10), "ping", "-n", "-c", count.ToString(CultureInfo.InvariantCulture),
            "-i", "0.5", "-W", "1", address);

    public ValueTask DisposeAsync() => Ns.DisposeAsync();
}
