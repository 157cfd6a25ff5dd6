namespace IronOrleans.NodeAgent;

/// <summary>Cluster membership of the NodeAgent silo when not configured by Aspire (<c>Orleans:*</c>).</summary>
public sealed class NodeAgentHostOptions
{
    public const string SectionName = "IronOrleans:NodeAgent:Silo";

    public string ClusterId { get; set; } = "ironorleans";

    public string ServiceId { get; set; } = "ironorleans";

    /// <summary>Silo-to-silo port. Default 11200 (control silos use 11111).</summary>
    public int SiloPort { get; set; } = 11200;

    /// <summary>Address advertised in the membership table. Default 127.0.0.1.</summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";
}
