namespace IronOrleans.Silo;

/// <summary>
/// Identity and endpoints of an IronOrleans silo for local and plain-process runs. Each value is used only when
/// the standard Orleans configuration (<c>Orleans:ClusterId</c>, <c>Orleans:ServiceId</c>, <c>Orleans:Endpoints</c>,
/// as set by Aspire) does not provide it.
/// </summary>
public sealed class SiloHostOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "IronOrleans:Silo";

    /// <summary>Orleans cluster id (the membership table's deployment id). Default <c>ironorleans</c>.</summary>
    public string ClusterId { get; set; } = "ironorleans";

    /// <summary>Orleans service id (part of every grain-state row's key). Default <c>ironorleans</c>.</summary>
    public string ServiceId { get; set; } = "ironorleans";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address the silo advertises in the membership table. Default <c>127.0.0.1</c> (local runs).</summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on all addresses instead of only the advertised one. Default <see langword="false"/>.</summary>
    public bool ListenOnAnyHostAddress { get; set; }
}
