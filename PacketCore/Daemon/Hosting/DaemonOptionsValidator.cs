using System.Net;
using Microsoft.Extensions.Options;

namespace IronOrleans.PacketCore.Daemon.Hosting;

/// <summary>Start-time validation of <see cref="DaemonOptions"/> with messages that name the setting.</summary>
internal sealed class DaemonOptionsValidator : IValidateOptions<DaemonOptions>
{
    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.GrpcAddress, out _))
        {
            failures.Add($"Daemon:GrpcAddress (--grpc-address) '{options.GrpcAddress}' is not an IP address.");
        }

        if (options.GrpcPort != 0 && options.GrpcPort is < 1024 or > 65535)
        {
            failures.Add($"Daemon:GrpcPort (--grpc-port) {options.GrpcPort} is outside 1024-65535 (0 = ephemeral).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
