using System.Diagnostics;
using System.Text;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>Bounded external commands for the end-to-end tests. Every run has a timeout and kills its process tree.</summary>
public static class Proc
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public bool Ok => ExitCode == 0;

        public override string ToString() => $"exit {ExitCode}; stdout: {StdOut.Trim()}; stderr: {StdErr.Trim()}";
    }

    /// <summary>Fails with a clear message when <paramref name="tool"/> is not on PATH (CI installs it; never skip).</summary>
    public static void RequireTool(string tool, string package)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/sbin"))
        {
            if (File.Exists(Path.Combine(dir, tool)))
            {
                return;
            }
        }

        Assert.Fail($"End-to-end test needs '{tool}' (Debian package '{package}'), which is not installed: apt-get install -y {package}");
    }

    /// <summary>Fails with a clear message unless running as root (TAP devices and network namespaces need it).</summary>
    public static void RequireRoot() =>
        Assert.True(Environment.UserName == "root" || geteuid() == 0,
            "End-to-end data-plane tests need root (TAP devices, network namespaces); CI runs as root.");

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var process = Create(file, args);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            return new Result(-1, stdout.ToString(), $"timed out after {timeout.TotalSeconds} s: {file} {string.Join(' ', args)}\n{stderr}");
        }

        process.WaitForExit(); // flush the async readers
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and fails the test with the command's output when it does not exit 0.</summary>
    public static async Task<Result> CheckAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, timeout ?? TimeSpan.FromSeconds(30));
        Assert.True(result.Ok, $"'{file} {string.Join(' ', list)}' failed: {result}");
        return result;
    }

    /// <summary>A long-running process whose stdout lines are collected; killed on dispose.</summary>
    public static BackgroundProcess Start(string file, IEnumerable<string> args) => new(Create(file, args));

    private static Process Create(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new Process { StartInfo = info };
    }

    public sealed class BackgroundProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly StringBuilder _stderr = new();
        private readonly SemaphoreSlim _lineArrived = new(0);

        internal BackgroundProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_lines)
                {
                    _lines.Add(e.Data);
                }

                _lineArrived.Release();
            };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public string StdErr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public bool HasExited => _process.HasExited;

        /// <summary>Waits (bounded) until a stdout line satisfies <paramref name="predicate"/>.</summary>
        public async Task<string?> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            for (var i = 0; i < 100_000; i++)
            {
                var match = Lines.FirstOrDefault(predicate);
                if (match is not null)
                {
                    return match;
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || (_process.HasExited && !await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200))))
                {
                    return Lines.FirstOrDefault(predicate);
                }

                await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
            }

            return null;
        }

        /// <summary>Waits (bounded) for exit; kills it when the time is up.</summary>
        public async Task WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                _process.WaitForExit();
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        public async ValueTask DisposeAsync()
        {
            Kill();
            try
            {
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // nothing more we can do; the process tree was signalled
            }

            _process.Dispose();
            _lineArrived.Dispose();
        }

        private void Kill()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
    }
}
