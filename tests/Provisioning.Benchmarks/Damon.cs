using System.Globalization;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// The kernel's DAMON monitors on this machine (<c>/sys/kernel/mm/damon/admin/kdamonds</c>). The development VM runs one
/// with physical-address monitoring, a 500 ms sampling interval and a <c>pageout</c> scheme (proactive reclaim). Each
/// sampling pass keeps a CPU busy for ~80 ms and clears page-table access bits under the running processes; during the
/// provisioning benchmark 68 % of the moments both CPUs saturate start within 100 ms after one (stop 15). The benchmark says
/// whether DAMON runs, and <c>--pause-damon</c> turns the running monitors off for the run and back on afterwards (root).
/// </summary>
internal sealed class Damon : IDisposable
{
    private const string Root = "/sys/kernel/mm/damon/admin/kdamonds";
    private readonly List<string> _paused;

    private Damon(List<string> paused)
    {
        _paused = paused;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose(); // also on SIGINT / SIGTERM
    }

    /// <summary>The monitors that were paused (their <c>state</c> files).</summary>
    public int Paused => _paused.Count;

    /// <summary>One line on what DAMON does on this machine.</summary>
    public static string Describe()
    {
        var running = RunningStates();
        if (running.Count == 0)
        {
            return "DAMON: no kernel monitor running.";
        }

        var details = running.Select(state =>
        {
            var kdamond = Path.GetDirectoryName(state)!;
            var context = Path.Combine(kdamond, "contexts", "0");
            var intervals = Path.Combine(context, "monitoring_attrs", "intervals");
            return string.Create(CultureInfo.InvariantCulture,
                $"{Read(Path.Combine(context, "operations"))}, sampling every {Micros(Path.Combine(intervals, "sample_us"))} ms, "
                + $"aggregating every {Micros(Path.Combine(intervals, "aggr_us"))} ms, scheme {Read(Path.Combine(context, "schemes", "0", "action")) ?? "none"}");
        });
        return $"DAMON: {running.Count} kernel monitor(s) running ({string.Join("; ", details)}).";
    }

    /// <summary>Turns every running monitor off; <see cref="Dispose"/> turns them back on.</summary>
    public static Damon Pause()
    {
        var paused = new List<string>();
        foreach (var state in RunningStates())
        {
            File.WriteAllText(state, "off");
            paused.Add(state);
        }

        return new Damon(paused);
    }

    public void Dispose()
    {
        lock (_paused)
        {
            foreach (var state in _paused)
            {
                try
                {
                    File.WriteAllText(state, "on");
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"could not turn DAMON back on ({state}): {e.Message}");
                }
            }

            _paused.Clear();
        }
    }

    private static List<string> RunningStates()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(Root)
            .Select(d => Path.Combine(d, "state"))
            .Where(s => string.Equals(Read(s), "on", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Micros(string path)
        => long.TryParse(Read(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var us) ? (us / 1000).ToString(CultureInfo.InvariantCulture) : "?";
}
