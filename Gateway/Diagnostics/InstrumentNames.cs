namespace IronOrleans.Gateway.Diagnostics;

/// <summary>Names of the Gateway's meter, instruments and tags.</summary>
internal static class InstrumentNames
{
    public const string Meter = "IronOrleans.Gateway";

    /// <summary>Completed gRPC calls, by method and status.</summary>
    public const string Requests = "ironorleans.gateway.requests";

    /// <summary>Call duration in seconds (for streaming calls: the stream's lifetime), by method and status.</summary>
    public const string RequestDuration = "ironorleans.gateway.request.duration";

    /// <summary>Calls that ended with a status other than OK, by method and status.</summary>
    public const string Errors = "ironorleans.gateway.errors";

    /// <summary>Open watch streams.</summary>
    public const string ActiveWatches = "ironorleans.gateway.watches.active";

    /// <summary>Times a watch re-read its node after a gap or an overflow.</summary>
    public const string WatchResyncs = "ironorleans.gateway.watches.resyncs";

    public const string MethodTag = "rpc.method";
    public const string StatusTag = "rpc.grpc.status_code";
}
