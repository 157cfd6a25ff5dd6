using System.Globalization;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>A bounded raw AF_PACKET capture inside a namespace (python3 standard library; see <see cref="E2eScripts"/>).</summary>
public sealed class PacketCapture : IAsyncDisposable
{
    private readonly Proc.BackgroundProcess _process;
    private readonly TimeSpan _duration;

    private PacketCapture(Proc.BackgroundProcess process, TimeSpan duration)
    {
        _process = process;
        _duration = duration;
    }

    /// <summary>Python interpreter used inside namespaces.</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Starts capturing received frames of kind <paramref name="match"/> (ipip, icmp4, any) and waits until bound.</summary>
    public static async Task<PacketCapture> StartAsync(NetNs ns, string device, string match, TimeSpan duration, int maxFrames = 50)
    {
        var script = E2eScripts.WritePacketScript();
        var process = ns.Start(Python, script, "capture", device, match,
            duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), maxFrames.ToString(CultureInfo.InvariantCulture));
        var ready = await process.WaitForLineAsync(l => l == "READY", TimeSpan.FromSeconds(15));
        if (ready is null)
        {
            var stderr = process.StdErr;
            await process.DisposeAsync();
            Assert.Fail($"capture on {ns.Name}/{device} did not start: {stderr}");
        }

        return new PacketCapture(process, duration);
    }

    /// <summary>Waits (bounded by the capture's duration) until a frame satisfies <paramref name="predicate"/>.</summary>
    public async Task<CapturedFrame?> WaitForAsync(Func<CapturedFrame, bool> predicate)
    {
        var line = await _process.WaitForLineAsync(
            l => l.StartsWith("FRAME ", StringComparison.Ordinal) && predicate(CapturedFrame.Parse(l[6..])),
            _duration + TimeSpan.FromSeconds(5));
        return line is null ? null : CapturedFrame.Parse(line[6..]);
    }

    /// <summary>Waits for the capture to end (bounded) and returns every frame it saw.</summary>
    public async Task<IReadOnlyList<CapturedFrame>> StopAndCollectAsync()
    {
        await _process.WaitForExitAsync(_duration + TimeSpan.FromSeconds(5));
        return Frames;
    }

    /// <summary>Frames seen so far.</summary>
    public IReadOnlyList<CapturedFrame> Frames =>
        [.. _process.Lines.Where(l => l.StartsWith("FRAME ", StringComparison.Ordinal)).Select(l => CapturedFrame.Parse(l[6..]))];

    /// <summary>Sends <paramref name="frame"/> <paramref name="count"/> times from <paramref name="device"/> in <paramref name="ns"/>.</summary>
    public static async Task SendAsync(NetNs ns, string device, byte[] frame, int count = 3)
    {
        var script = E2eScripts.WritePacketScript();
        var result = await ns.RunAsync(TimeSpan.FromSeconds(20), Python, script, "send", device,
            Convert.ToHexString(frame), count.ToString(CultureInfo.InvariantCulture));
        Assert.True(result.Ok && result.StdOut.Contains("SENT", StringComparison.Ordinal), $"injecting on {ns.Name}/{device} failed: {result}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
