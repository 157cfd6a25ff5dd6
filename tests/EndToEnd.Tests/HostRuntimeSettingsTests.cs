using System.Text.Json;
using IronOrleans.EndToEnd.Tests.Infrastructure;

namespace IronOrleans.EndToEnd.Tests;

/// <summary>Runtime settings the shipped executables carry in their runtimeconfig.json (set once in Directory.Build.props).</summary>
public sealed class HostRuntimeSettingsTests
{
    public static TheoryData<string> Hosts() => ["Silo", "Gateway", "NodeAgent", "PacketCoreDaemon"];

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Thread_pool_workers_do_not_spin_before_sleeping(string host)
    {
        var dll = host switch
        {
            "Silo" => RepoLayout.Silo,
            "Gateway" => RepoLayout.Gateway,
            "NodeAgent" => RepoLayout.NodeAgent,
            "PacketCoreDaemon" => RepoLayout.PacketCoreDaemon,
            _ => throw new ArgumentOutOfRangeException(nameof(host), host, "unknown host"),
        };
        var runtimeConfig = Path.ChangeExtension(dll, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var limit),
            $"{runtimeConfig} does not set System.Threading.ThreadPool.UnfairSemaphoreSpinLimit");
        Assert.Equal(0, limit.GetInt32());
    }
}
