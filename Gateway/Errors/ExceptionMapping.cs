using Grpc.Core;
using IronOrleans.Grains.Errors;
using Orleans.Storage;
using Orleans.Transactions;

namespace IronOrleans.Gateway.Errors;

/// <summary>How severe a mapped failure is, which decides how it is logged.</summary>
internal enum FailureKind
{
    /// <summary>Caller-caused or expected domain outcome (NotFound, AlreadyExists, …): logged at debug.</summary>
    Domain,

    /// <summary>Transient infrastructure failure (transactions, connectivity, time-outs): logged as a warning.</summary>
    Transient,

    /// <summary>The caller went away.</summary>
    Cancelled,

    /// <summary>A bug or an unknown failure: logged as an error with the exception; the caller sees a generic message.</summary>
    Unexpected,
}

/// <summary>The exception → gRPC status table of STYLE §2.6.</summary>
internal static class ExceptionMapping
{
    /// <summary>Maps <paramref name="exception"/> to the status the caller sees.</summary>
    /// <param name="exception">What the service or a grain threw.</param>
    /// <param name="callCancelled">Whether the caller's cancellation token has fired.</param>
    public static (RpcException Error, FailureKind Kind) Map(Exception exception, bool callCancelled)
    {
        ArgumentNullException.ThrowIfNull(exception);
        exception = Unwrap(exception);
        return exception switch
        {
            RpcException rpc => (rpc, rpc.StatusCode is StatusCode.Internal or StatusCode.Unknown ? FailureKind.Unexpected : FailureKind.Domain),

            InvalidFieldException e => (GatewayErrors.InvalidArgument([(e.Field, e.Message)]), FailureKind.Domain),
            ResourceNotFoundException e => (Domain(StatusCode.NotFound, e), FailureKind.Domain),
            ResourceAlreadyExistsException e => (Domain(StatusCode.AlreadyExists, e), FailureKind.Domain),
            FailedPreconditionException e => (Domain(StatusCode.FailedPrecondition, e), FailureKind.Domain),
            ResourceExhaustedException e => (Domain(StatusCode.ResourceExhausted, e), FailureKind.Domain),
            IronOrleansException e => (Domain(StatusCode.Unknown, e), FailureKind.Domain),

            OrleansTransactionInDoubtException => (GatewayErrors.Create(StatusCode.Unavailable, ErrorReasons.TransactionInDoubt,
                "the outcome of the change is unknown; read the object before retrying"), FailureKind.Transient),
            OrleansTransactionOverloadException => (GatewayErrors.Create(StatusCode.ResourceExhausted, ErrorReasons.TransactionOverload,
                "the control plane is overloaded; retry with backoff"), FailureKind.Transient),
            OrleansTransactionServiceNotAvailableException or OrleansStartTransactionFailedException => (GatewayErrors.Create(
                StatusCode.Unavailable, ErrorReasons.ClusterUnavailable, "the transaction service is not available; retry with backoff"), FailureKind.Transient),
            OrleansTransactionAbortedException => (GatewayErrors.Create(StatusCode.Aborted, ErrorReasons.TransactionAborted,
                "the change conflicted with a concurrent change and was rolled back; retry"), FailureKind.Transient),
            InconsistentStateException => (GatewayErrors.Create(StatusCode.Aborted, ErrorReasons.ConcurrentModification,
                "the object changed concurrently; retry"), FailureKind.Transient),

            GatewayTooBusyException => (GatewayErrors.Create(StatusCode.ResourceExhausted, ErrorReasons.ClusterTooBusy,
                "the control plane is too busy; retry with backoff"), FailureKind.Transient),
            SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException
                or Orleans.Runtime.Messaging.ConnectionFailedException => (GatewayErrors.Create(StatusCode.Unavailable,
                ErrorReasons.ClusterUnavailable, "the control plane is not reachable; retry with backoff"), FailureKind.Transient),
            TimeoutException => (GatewayErrors.Create(StatusCode.DeadlineExceeded, ErrorReasons.ClusterTimeout,
                "the control plane did not answer in time; the change may still take effect"), FailureKind.Transient),

            OperationCanceledException when callCancelled => (GatewayErrors.Create(StatusCode.Cancelled, ErrorReasons.Cancelled,
                "the call was cancelled"), FailureKind.Cancelled),

            _ => (GatewayErrors.Create(StatusCode.Internal, ErrorReasons.Internal, "internal error"), FailureKind.Unexpected),
        };
    }

    private static RpcException Domain(StatusCode code, IronOrleansException e) => GatewayErrors.Create(code, e.Reason, e.Message);

    private static Exception Unwrap(Exception exception)
    {
        // A grain's refusal wins over the transaction abort that carries it.
        if (DomainErrors.Find(exception) is { } domain)
        {
            return domain;
        }

        // Bounded: exception chains are short, but never loop forever on a pathological one.
        for (var i = 0; i < 8 && exception is AggregateException { InnerExceptions.Count: 1 } aggregate; i++)
        {
            exception = aggregate.InnerExceptions[0];
        }

        return exception;
    }
}
