using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace IronOrleans.Provisioning.Benchmarks;

/// <summary>
/// Child-process mode: one production NodeAgent (<c>AddNodeAgent</c>) configured from environment variables, so the
/// dead-node scenario can kill a NodeAgent the way a crash does. Exits when its parent closes standard input.
/// </summary>
internal static class AgentChild
{
    public const string Argument = "--agent-child";

    /// <summary>Environment variable with the stream poll period in ms (the <c>--stream-poll</c> experiment).</summary>
    public const string StreamPollVariable = "IRONORLEANS_BENCH_STREAM_POLL_MS";

    public static async Task<int> RunAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables();
        ProvisioningEnvironment.ConfigureLogging(builder.Logging);
        builder.AddNodeAgent();
        if (double.TryParse(Environment.GetEnvironmentVariable(StreamPollVariable), System.Globalization.CultureInfo.InvariantCulture, out var ms))
        {
            ProvisioningEnvironment.ConfigureStreamPolling(builder.Services, TimeSpan.FromMilliseconds(ms));
        }
        ProvisioningEnvironment.ExcludeGrainClasses(builder.Services, typeof(IronOrleans.Grains.Routing.RouteTableState).Assembly);
        using var host = builder.Build();
        await host.StartAsync();

        // The parent holds our standard input; end of input means it is gone (or done), so stop.
        await Console.In.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(cts.Token);
        return 0;
    }
}
