using System.Diagnostics;
using IronOrleans.PacketCore.Diagnostics;

namespace IronOrleans.PacketCore.Tests;

/// <summary>
/// Real packets through a real TAP: the VM port's TAP is moved into a per-run network namespace (the "VM"), whose kernel
/// resolves the gateway 169.254.0.1 with ARP; the engine's worker thread must answer with the port MAC.
/// Needs root (CAP_NET_ADMIN), as CI has.
/// </summary>
public sealed class TapSmokeTests
{
    [Fact]
    public void VmNamespace_ResolvesGatewayThroughTap()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var ns = $"iopc-{id}";
        var vmTap = $"iov{id}";
        var options = new PacketCoreOptions
        {
            HostUnderlayAddress = "fc00:1::1",
            Backend = PortBackend.Tap,
            Uplink = new PacketPortOptions { Name = "uplink", TapName = $"iou{id}", Mac = "02:00:00:00:00:01" },
            FlowCapacity = 1024,
        };
        options.VmPorts.Add(new PacketPortOptions { Name = "net_tap1", TapName = vmTap, Mac = "02:aa:00:00:00:01", PeerMac = "52:54:00:12:34:56" });

        Run("ip", "netns", "add", ns);
        try
        {
            using var engine = new PacketCoreEngine(options);
            Assert.True(engine.Control.Initialize().IsOk);
            engine.Start();
            Run("ip", "link", "set", vmTap, "netns", ns);
            Run("ip", "-n", ns, "link", "set", vmTap, "up");
            Run("ip", "-n", ns, "addr", "add", "10.0.0.5/32", "dev", vmTap);
            Run("ip", "-n", ns, "route", "add", "169.254.0.1", "dev", vmTap);

            var deadline = Stopwatch.StartNew();
            var neighbours = "";
            while (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                TryRun("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", "169.254.0.1");
                neighbours = Run("ip", "-n", ns, "neigh", "show", "169.254.0.1");
                if (neighbours.Contains("02:aa:00:00:00:01", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(neighbours.Contains("lladdr 02:aa:00:00:00:01", StringComparison.Ordinal),
                $"the namespace should have resolved 169.254.0.1 to the port MAC within 10 s; neighbour table: '{neighbours}'");
            Assert.True(engine.GetCount(PacketCounter.ArpReplies) >= 1);
            engine.Stop();
        }
        finally
        {
            TryRun("ip", "netns", "del", ns);
        }
    }

    private static string Run(string file, params string[] arguments) => Run(true, file, arguments);

    private static string TryRun(string file, params string[] arguments) => Run(false, file, arguments);

    private static string Run(bool check, string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within 15 s");
        }

        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {error.Result}");
        }

        return output.Result;
    }
}
