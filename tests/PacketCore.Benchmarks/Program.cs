using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using IronOrleans.PacketCore.Benchmarks;

// Usage: dotnet run -c Release --project tests/PacketCore.Benchmarks -- --filter '*' [--validate]
// --validate runs every benchmark once (dry job) to prove it still works, for CI.
// --quick [scenario-text] measures each (or the matching) scenario with a stopwatch for about a second (no BenchmarkDotNet), for fast iteration.
if (args.Contains("--quick"))
{
    var index = Array.IndexOf(args, "--quick");
    QuickRun.Run(index + 1 < args.Length ? args[index + 1] : null);
    return 0;
}

var validate = args.Contains("--validate");
IConfig config = validate ? BenchmarkConfig.Validation() : BenchmarkConfig.Default();
var rest = args.Where(a => a != "--validate").ToArray();
if (rest.Length == 0)
{
    rest = ["--filter", "*"];
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(rest, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
