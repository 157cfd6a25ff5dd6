namespace IronOrleans.AppHost;

/// <summary>
/// Settings of the local cloud, bound from <see cref="SectionName"/> (appsettings.json, environment variables such as
/// <c>IronOrleans__LocalCloud__Tap=true</c>, or command-line arguments such as <c>--IronOrleans:LocalCloud:Tap=true</c>).
/// </summary>
public sealed class LocalCloudOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "IronOrleans:LocalCloud";

    /// <summary>Directory of PostgreSQL's programs (Debian's <c>postgresql-15</c>). Default <c>/usr/lib/postgresql/15/bin</c>.</summary>
    public string PostgresBinDirectory { get; set; } = "/usr/lib/postgresql/15/bin";

    /// <summary>
    /// Where the local cloud keeps its PostgreSQL data directory, socket and log. Default <c>~/.ironorleans</c>, or
    /// <c>/var/lib/ironorleans</c> for root (the <c>postgres</c> user cannot enter root's home).
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>PostgreSQL's TCP port on 127.0.0.1. Default 55432.</summary>
    public int PostgresPort { get; set; } = 55432;

    /// <summary>Name of the IronOrleans database. Default <c>ironorleans</c>.</summary>
    public string DatabaseName { get; set; } = "ironorleans";

    /// <summary>The Gateway's gRPC (h2c) port on 127.0.0.1. Default 5080.</summary>
    public int GatewayPort { get; set; } = 5080;

    /// <summary>The silos' HTTP port (health, Orleans dashboard at <c>/dashboard</c>), shared by the replicas. Default 8090.</summary>
    public int SiloHttpPort { get; set; } = 8090;

    /// <summary>Control-plane silo replicas. Default 2.</summary>
    public int SiloReplicas { get; set; } = 2;

    /// <summary>
    /// Give the simulated hypervisors Linux TAP devices instead of in-memory ports (needs root). Default
    /// <see langword="false"/>.
    /// </summary>
    public bool Tap { get; set; }

    /// <summary>The state directory actually used: <see cref="StateDirectory"/> or the per-user default.</summary>
    public string ResolveStateDirectory()
    {
        if (!string.IsNullOrWhiteSpace(StateDirectory))
        {
            return Path.GetFullPath(StateDirectory);
        }

        return Environment.IsPrivilegedProcess
            ? "/var/lib/ironorleans"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ironorleans");
    }

    /// <summary>Returns the problems of these options (empty when usable).</summary>
    public IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        foreach (var (name, port) in (ReadOnlySpan<(string, int)>)[(nameof(PostgresPort), PostgresPort), (nameof(GatewayPort), GatewayPort), (nameof(SiloHttpPort), SiloHttpPort)])
        {
            if (port is < 1 or > 65535)
            {
                problems.Add($"{SectionName}:{name} must be a port between 1 and 65535 (was {port}).");
            }
        }

        if (SiloReplicas is < 1 or > 8)
        {
            problems.Add($"{SectionName}:{nameof(SiloReplicas)} must be between 1 and 8 (was {SiloReplicas}).");
        }

        if (Tap && !Environment.IsPrivilegedProcess)
        {
            problems.Add($"{SectionName}:{nameof(Tap)}=true needs root: the NodeAgents open TAP devices.");
        }

        if (string.IsNullOrWhiteSpace(DatabaseName) || !DatabaseName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            problems.Add($"{SectionName}:{nameof(DatabaseName)} must be lower-case letters, digits and '_' (was '{DatabaseName}').");
        }

        return problems;
    }
}
