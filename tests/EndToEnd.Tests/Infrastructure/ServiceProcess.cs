using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IronOrleans.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One of the system's executables (<c>dotnet X.dll</c>) running as a real OS process, stdout and stderr appended to
/// its own log file. Only the variables the test sets reach it: inherited <c>ConnectionStrings__</c>,
/// <c>Orleans__</c>, <c>IronOrleans__</c> and <c>ASPNETCORE_URLS</c> are removed.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly string[] ScrubbedPrefixes = ["ConnectionStrings__", "Orleans__", "IronOrleans__", "ASPNETCORE_URLS", "DOTNET_URLS"];
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private bool _logClosed;
    private int _disposed;

    private ServiceProcess(string name, string logPath, Process process, StreamWriter log)
    {
        Name = name;
        LogPath = logPath;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ServiceProcess Start(
        string name, string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var key in info.Environment.Keys.Where(k => ScrubbedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_gcServer"] = "0"; // two cores shared by seven processes
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true"; // one clock for the timeline
        info.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning"; // not one line per gRPC call
        info.Environment["Logging__LogLevel__Polly"] = "Warning";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} ### starting {name}: dotnet {dll} {string.Join(' ', info.ArgumentList.Skip(1))}");
        var process = new Process { StartInfo = info };
        var service = new ServiceProcess(name, logPath, process, log);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Everything the process wrote so far.</summary>
    public string ReadLog()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The last <paramref name="lines"/> lines of the log.</summary>
    public string Tail(int lines)
    {
        try
        {
            return string.Join('\n', ReadLog().Split('\n').TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    /// <summary>SIGKILL: no shutdown code runs (a crash, as far as the cluster can tell).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Append($"{DateTime.UtcNow:HH:mm:ss.fff} ### test sends SIGKILL to {Name} (pid {_process.Id})");
            _process.Kill(entireProcessTree: true);
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM first (graceful: the silo leaves the membership table), then SIGKILL if it lingers.
                _ = kill(_process.Id, 15);
                if (!await WaitForExitAsync(TimeSpan.FromSeconds(10)))
                {
                    _process.Kill(entireProcessTree: true);
                    await WaitForExitAsync(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        finally
        {
            lock (_gate)
            {
                _logClosed = true;
                _log.Dispose();
            }

            _process.Dispose();
        }
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
