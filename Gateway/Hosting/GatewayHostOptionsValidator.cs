using Microsoft.Extensions.Options;

namespace IronOrleans.Gateway.Hosting;

/// <summary>Checks <see cref="GatewayHostOptions"/> at start-up.</summary>
internal sealed class GatewayHostOptionsValidator : IValidateOptions<GatewayHostOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayHostOptions options) => Check(options, orleansClusteringConfigured: true);

    /// <summary>Returns <paramref name="options"/> or throws with every problem found.</summary>
    public static GatewayHostOptions ThrowIfInvalid(GatewayHostOptions options, bool orleansClusteringConfigured)
    {
        var result = Check(options, orleansClusteringConfigured);
        return result.Failed ? throw new OptionsValidationException(GatewayHostOptions.SectionName, typeof(GatewayHostOptions), result.Failures) : options;
    }

    private static ValidateOptionsResult Check(GatewayHostOptions options, bool orleansClusteringConfigured)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = GatewayHostOptions.SectionName;
        if (GatewayEndpoint.TryParse(options.Url, out var error) is null)
        {
            failures.Add($"{section}:Url {error}");
        }

        if (options.ResolveClustering(orleansClusteringConfigured) == ClusteringMode.None)
        {
            failures.Add($"No cluster to join: set ConnectionStrings:{GatewayHostOptions.ConnectionStringName} (PostgreSQL membership), "
                + $"{section}:ConnectionString, Orleans:Clustering:* (Aspire) or {section}:UseLocalhostClustering=true (development).");
        }

        if (options.UseLocalhostClustering && (options.LocalhostGatewayPorts.Length == 0 || options.LocalhostGatewayPorts.Any(p => p is < 1 or > 65535)))
        {
            failures.Add($"{section}:LocalhostGatewayPorts must hold ports between 1 and 65535.");
        }

        if (options.ClusterId.Length == 0 || options.ServiceId.Length == 0)
        {
            failures.Add($"{section}:ClusterId and ServiceId must not be empty.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:ConnectTimeout must be positive.");
        }

        if (options.DefaultPageSize < 1 || options.MaxPageSize < options.DefaultPageSize)
        {
            failures.Add($"{section}:DefaultPageSize must be at least 1 and at most MaxPageSize.");
        }

        if (options.WatchBufferCapacity < 1)
        {
            failures.Add($"{section}:WatchBufferCapacity must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
