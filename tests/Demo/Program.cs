using Grpc.Net.Client;
using IronOrleans.Demo;

// dotnet run --project tests/Demo [-- --gateway http://127.0.0.1:5080] [--timeout 60]
var gateway = "http://127.0.0.1:5080";
var timeout = TimeSpan.FromSeconds(60);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--gateway":
            gateway = args[i + 1];
            break;
        case "--timeout":
            timeout = TimeSpan.FromSeconds(int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture));
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; usage: [--gateway http://127.0.0.1:5080] [--timeout 60]");
            return 2;
    }
}

using var channel = GrpcChannel.ForAddress(gateway);
try
{
    var nics = await LocalCloudDemo.RunAsync(channel, Console.WriteLine, timeout, CancellationToken.None);
    Console.WriteLine($"OK: {nics.Count} NICs READY on {string.Join(" and ", nics.Select(n => n.Node))}");
    return 0;
}
catch (Exception e) when (e is Grpc.Core.RpcException or TimeoutException or InvalidOperationException)
{
    Console.Error.WriteLine($"FAILED: {e.Message}");
    return 1;
}
