using System.Globalization;
using System.Runtime.InteropServices;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// The kernel's DAMON monitors on this machine, as its sysfs admin interface shows them
/// (<c>/sys/kernel/mm/damon/admin/kdamonds</c>, root only). The development VM runs one with physical-address monitoring, a
/// 500 ms sampling interval and a <c>pageout</c> scheme (proactive reclaim). Each sampling pass keeps a CPU busy for ~80 ms
/// and clears page-table access bits under the running processes; during the provisioning benchmark 68 % of the moments
/// both CPUs saturate start within 100 ms after one (stop 15). The benchmark says whether DAMON runs, and
/// <c>--pause-damon</c> turns the running monitors off for the run and back on when it ends: on return, on an exception, and
/// on SIGINT, SIGTERM, SIGQUIT or SIGHUP. After a SIGKILL, turn them on by hand: <c>echo on &gt; .../kdamonds/N/state</c>.
/// </summary>
internal sealed class Damon : IDisposable
{
    private const string Root = "/sys/kernel/mm/damon/admin/kdamonds";
    private readonly List<string> _paused;
    private readonly List<PosixSignalRegistration> _signals = [];

    private Damon(List<string> paused)
    {
        _paused = paused;

        // The caller's using covers returns and exceptions (the benchmark never calls Environment.Exit). A termination
        // signal skips it, and .NET 10 raises no ProcessExit for one: restore on the signal, and let it go on (no Cancel),
        // so the process still stops the way it would have.
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, _ => Dispose()));
        }
    }

    /// <summary>The monitors that were paused (their <c>state</c> files).</summary>
    public int Paused => _paused.Count;

    /// <summary>One line on what DAMON does on this machine.</summary>
    public static string Describe()
    {
        var monitors = Monitors();
        if (monitors.Count == 0)
        {
            return "DAMON: no sysfs monitor on this machine.";
        }

        if (monitors.Any(m => m.State is null))
        {
            return $"DAMON: {monitors.Count} sysfs monitor(s), state unreadable (needs root).";
        }

        var running = monitors.Where(m => m.State == "on").ToList();
        if (running.Count == 0)
        {
            return $"DAMON: {monitors.Count} sysfs monitor(s), none running.";
        }

        var details = running.Select(m =>
        {
            var context = Path.Combine(m.Directory, "contexts", "0");
            var intervals = Path.Combine(context, "monitoring_attrs", "intervals");
            return string.Create(CultureInfo.InvariantCulture,
                $"{Read(Path.Combine(context, "operations"))}, sampling every {Millis(Path.Combine(intervals, "sample_us"))} ms, "
                + $"aggregating every {Millis(Path.Combine(intervals, "aggr_us"))} ms, scheme {Read(Path.Combine(context, "schemes", "0", "action")) ?? "none"}");
        });
        return $"DAMON: {running.Count} sysfs monitor(s) running ({string.Join("; ", details)}).";
    }

    /// <summary>
    /// Turns every running monitor off; <see cref="Dispose"/> turns them back on. Throws <see cref="InvalidOperationException"/>
    /// (with nothing left paused) when a monitor's state cannot be read or written, e.g. without root or on a read-only /sys.
    /// </summary>
    public static Damon Pause()
    {
        var monitors = Monitors();
        if (monitors.FirstOrDefault(m => m.State is null) is { } unreadable)
        {
            throw new InvalidOperationException($"--pause-damon: cannot read {Path.Combine(unreadable.Directory, "state")} (needs root).");
        }

        var paused = new List<string>();
        try
        {
            foreach (var monitor in monitors.Where(m => m.State == "on"))
            {
                var state = Path.Combine(monitor.Directory, "state");
                File.WriteAllText(state, "off");
                paused.Add(state);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TurnOn(paused);
            throw new InvalidOperationException($"--pause-damon: cannot turn DAMON off: {e.Message}", e);
        }

        return new Damon(paused);
    }

    public void Dispose()
    {
        lock (_paused)
        {
            TurnOn(_paused);
            _paused.Clear();
        }
    }

    private static void TurnOn(List<string> states)
    {
        foreach (var state in states)
        {
            try
            {
                File.WriteAllText(state, "on");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"could not turn DAMON back on: {e.Message}. Run: echo on > {state}");
            }
        }
    }

    private sealed record Monitor(string Directory, string? State);

    private static List<Monitor> Monitors()
    {
        if (!System.IO.Directory.Exists(Root))
        {
            return [];
        }

        return [.. System.IO.Directory.EnumerateDirectories(Root)
            .Order(StringComparer.Ordinal)
            .Select(d => new Monitor(d, Read(Path.Combine(d, "state"))))];
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Millis(string path)
        => long.TryParse(Read(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var us)
            ? (us / 1000.0).ToString("0.#", CultureInfo.InvariantCulture)
            : "?";
}
