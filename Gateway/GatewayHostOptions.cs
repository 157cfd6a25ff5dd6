namespace IronOrleans.Gateway;

/// <summary>Where the Gateway listens and how it joins the Orleans cluster.</summary>
public sealed class GatewayHostOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "IronOrleans:Gateway";

    /// <summary>Name under <c>ConnectionStrings</c> used when <see cref="ConnectionString"/> is not set (as the silo does).</summary>
    public const string ConnectionStringName = "ironorleans";

    /// <summary>
    /// The h2c (HTTP/2 without TLS) endpoint, <c>http://host:port</c>. Host may be an IP address, <c>localhost</c> or
    /// <c>*</c>; port 0 picks a free port. Default <c>http://127.0.0.1:5080</c> (loopback only).
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Orleans cluster id, used unless <c>Orleans:ClusterId</c> is configured. Default <c>ironorleans</c>.</summary>
    public string ClusterId { get; set; } = "ironorleans";

    /// <summary>Orleans service id, used unless <c>Orleans:ServiceId</c> is configured. Default <c>ironorleans</c>.</summary>
    public string ServiceId { get; set; } = "ironorleans";

    /// <summary>
    /// PostgreSQL connection string for ADO.NET clustering (the silos' membership table). Default:
    /// <c>ConnectionStrings:ironorleans</c>. Not needed when Orleans clustering is configured under <c>Orleans:Clustering</c>
    /// (Aspire) or <see cref="UseLocalhostClustering"/> is set.
    /// </summary>
    [RedactConnectionString]
    public string? ConnectionString { get; set; }

    /// <summary>Development only: connect to silo gateways on 127.0.0.1 at <see cref="LocalhostGatewayPorts"/>. Default false.</summary>
    public bool UseLocalhostClustering { get; set; }

    /// <summary>Silo gateway ports for <see cref="UseLocalhostClustering"/>. Default 30000.</summary>
    public int[] LocalhostGatewayPorts { get; set; } = [30000];

    /// <summary>How long start-up keeps retrying to connect to the cluster before it fails. Default 5 minutes.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Page size of List calls that ask for none. Default 100.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Largest page size; larger requests are reduced to it. Default 1000.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>
    /// Node events buffered per watch before the watch falls back to re-reading the node (a slow client never
    /// blocks stream delivery). Default 1024.
    /// </summary>
    public int WatchBufferCapacity { get; set; } = 1024;

    /// <summary>Which way the Gateway's Orleans client finds the cluster.</summary>
    internal ClusteringMode ResolveClustering(bool orleansClusteringConfigured) =>
        orleansClusteringConfigured ? ClusteringMode.FromOrleansConfiguration
        : UseLocalhostClustering ? ClusteringMode.Localhost
        : !string.IsNullOrWhiteSpace(ConnectionString) ? ClusteringMode.AdoNet
        : ClusteringMode.None;
}

/// <summary>How the Orleans client finds the cluster.</summary>
internal enum ClusteringMode
{
    None,
    FromOrleansConfiguration,
    Localhost,
    AdoNet,
}
