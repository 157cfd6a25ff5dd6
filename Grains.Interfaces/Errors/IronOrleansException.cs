namespace IronOrleans.Grains.Errors;

/// <summary>
/// Base of every domain error a grain throws. <see cref="Reason"/> is a stable identifier
/// (reported as <c>google.rpc.ErrorInfo.reason</c> at the Gateway); a reason is never renamed or reused.
/// </summary>
[GenerateSerializer, Alias("ironorleans.error")]
public abstract class IronOrleansException : Exception
{
    protected IronOrleansException(string reason, string message)
        : base(message) => Reason = reason;

    /// <summary>Stable machine-readable reason, e.g. <c>NETWORK_NOT_FOUND</c>.</summary>
    [Id(0)] public string Reason { get; private set; }
}

/// <summary>The object does not exist (gRPC <c>NotFound</c>).</summary>
[GenerateSerializer, Alias("ironorleans.error.not-found")]
public sealed class ResourceNotFoundException(string kind, string key)
    : IronOrleansException(kind.ToUpperInvariant() + "_NOT_FOUND", $"{kind} '{key}' not found")
{
    [Id(0)] public string Kind { get; private set; } = kind;
    [Id(1)] public string Key { get; private set; } = key;
}

/// <summary>The object, or a value it needs, is already taken (gRPC <c>AlreadyExists</c>).</summary>
[GenerateSerializer, Alias("ironorleans.error.already-exists")]
public sealed class ResourceAlreadyExistsException(string reason, string message)
    : IronOrleansException(reason, message);

/// <summary>The system is not in a state that allows the operation (gRPC <c>FailedPrecondition</c>).</summary>
[GenerateSerializer, Alias("ironorleans.error.failed-precondition")]
public sealed class FailedPreconditionException(string reason, string message)
    : IronOrleansException(reason, message);

/// <summary>A pool or range has no free value left (gRPC <c>ResourceExhausted</c>).</summary>
[GenerateSerializer, Alias("ironorleans.error.exhausted")]
public sealed class ResourceExhaustedException(string reason, string message)
    : IronOrleansException(reason, message);

/// <summary>A request field is invalid or may not change (gRPC <c>InvalidArgument</c> naming the field).</summary>
[GenerateSerializer, Alias("ironorleans.error.invalid-field")]
public sealed class InvalidFieldException(string field, string message)
    : IronOrleansException("INVALID_FIELD", message)
{
    [Id(0)] public string Field { get; private set; } = field;
}
