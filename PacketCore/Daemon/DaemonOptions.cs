using System.ComponentModel.DataAnnotations;

namespace IronOrleans.PacketCore.Daemon;

/// <summary>The daemon's own settings (section <c>Daemon</c>); the engine's are in its own section.</summary>
public sealed class DaemonOptions
{
    public const string SectionName = "Daemon";

    /// <summary>Address the gRPC endpoint binds to. Default <c>127.0.0.1</c> (dpservice binds <c>[::]</c>).</summary>
    [Required]
    public string GrpcAddress { get; set; } = "127.0.0.1";

    /// <summary>gRPC port (plaintext h2c). Default 1337 as dpservice; 1024-65535, or 0 for an ephemeral port (tests).</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 1337;
}
