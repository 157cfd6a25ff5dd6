using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IronOrleans.Silo;

/// <summary>Validates <see cref="DatabaseOptions"/> and <see cref="SiloHostOptions"/> with messages that name the keys.</summary>
internal sealed class SiloOptionsValidator : IValidateOptions<DatabaseOptions>, IValidateOptions<SiloHostOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                $"No PostgreSQL connection string: set {DatabaseOptions.SectionName}:ConnectionString or " +
                $"ConnectionStrings:{DatabaseOptions.ConnectionStringName} (environment variable " +
                $"ConnectionStrings__{DatabaseOptions.ConnectionStringName}).");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (string.IsNullOrEmpty(builder.Database))
            {
                return ValidateOptionsResult.Fail($"{DatabaseOptions.SectionName}:ConnectionString names no database (Database=...).");
            }
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"{DatabaseOptions.SectionName}:ConnectionString is not a valid Npgsql connection string: {e.Message}");
        }

        return ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, SiloHostOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{SiloHostOptions.SectionName}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{SiloHostOptions.SectionName}:ServiceId must not be empty.");
        }

        if (options.SiloPort is <= 0 or > IPEndPoint.MaxPort)
        {
            failures.Add($"{SiloHostOptions.SectionName}:SiloPort must be in 1..65535 (was {options.SiloPort}).");
        }

        if (options.GatewayPort is < 0 or > IPEndPoint.MaxPort)
        {
            failures.Add($"{SiloHostOptions.SectionName}:GatewayPort must be in 0..65535 (was {options.GatewayPort}).");
        }

        if (!IPAddress.TryParse(options.AdvertisedIPAddress, out _))
        {
            failures.Add($"{SiloHostOptions.SectionName}:AdvertisedIPAddress '{options.AdvertisedIPAddress}' is not an IP address.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> is invalid.</summary>
    public static T ThrowIfInvalid<T>(T options)
        where T : class
    {
        var validator = new SiloOptionsValidator();
        var result = options switch
        {
            DatabaseOptions db => validator.Validate(Options.DefaultName, db),
            SiloHostOptions silo => validator.Validate(Options.DefaultName, silo),
            _ => throw new ArgumentException($"No validator for {typeof(T).Name}.", nameof(options)),
        };
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : options;
    }
}
