namespace IronOrleans.Gateway.Errors;

/// <summary>
/// Stable <c>google.rpc.ErrorInfo.reason</c> values the Gateway itself assigns. Domain errors from the grains carry
/// their own reason (<see cref="Grains.Errors.IronOrleansException.Reason"/>). A reason is never renamed or reused.
/// </summary>
internal static class ErrorReasons
{
    /// <summary><c>google.rpc.ErrorInfo.domain</c> of every Gateway error.</summary>
    public const string Domain = "ironorleans.dev";

    /// <summary>A request field is invalid (same reason as the grains' <c>InvalidFieldException</c>).</summary>
    public const string InvalidField = "INVALID_FIELD";

    /// <summary>A network provider ID names a network whose VNI or uid differ from the current network of that name.</summary>
    public const string NetworkProviderIdMismatch = "NETWORK_PROVIDER_ID_MISMATCH";

    /// <summary>A transaction was aborted (conflict or transient failure); retrying the call is safe for idempotent calls.</summary>
    public const string TransactionAborted = "TRANSACTION_ABORTED";

    /// <summary>The outcome of a transaction is unknown; read the object before retrying non-idempotent calls.</summary>
    public const string TransactionInDoubt = "TRANSACTION_IN_DOUBT";

    /// <summary>The transaction system is overloaded.</summary>
    public const string TransactionOverload = "TRANSACTION_OVERLOAD";

    /// <summary>Stored state changed concurrently (storage ETag conflict).</summary>
    public const string ConcurrentModification = "CONCURRENT_MODIFICATION";

    /// <summary>The Orleans cluster (or a silo holding the object) cannot be reached.</summary>
    public const string ClusterUnavailable = "CLUSTER_UNAVAILABLE";

    /// <summary>The cluster's gateway refused the call because it is too busy.</summary>
    public const string ClusterTooBusy = "CLUSTER_TOO_BUSY";

    /// <summary>A call inside the cluster timed out; it may still have taken effect.</summary>
    public const string ClusterTimeout = "CLUSTER_TIMEOUT";

    /// <summary>The caller cancelled the call.</summary>
    public const string Cancelled = "CANCELLED";

    /// <summary>The Gateway is shutting down; reconnect (to another Gateway).</summary>
    public const string GatewayShuttingDown = "GATEWAY_SHUTTING_DOWN";

    /// <summary>An unexpected failure; details are only in the Gateway's log.</summary>
    public const string Internal = "INTERNAL";
}
