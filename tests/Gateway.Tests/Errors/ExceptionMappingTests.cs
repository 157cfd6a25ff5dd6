using Google.Rpc;
using Grpc.Core;
using IronOrleans.Gateway.Errors;
using IronOrleans.Grains.Errors;
using Orleans.Storage;
using Orleans.Transactions;

namespace IronOrleans.Gateway.Tests.Errors;

/// <summary>The exception → status table of STYLE §2.6, row by row (no cluster).</summary>
public sealed class ExceptionMappingTests
{
    public static TheoryData<Exception, StatusCode, string> Table() => new()
    {
        { new ResourceNotFoundException("Network", "a/b"), StatusCode.NotFound, "NETWORK_NOT_FOUND" },
        { new ResourceAlreadyExistsException("NETWORK_EXISTS", "exists"), StatusCode.AlreadyExists, "NETWORK_EXISTS" },
        { new FailedPreconditionException("NETWORK_IN_USE", "in use"), StatusCode.FailedPrecondition, "NETWORK_IN_USE" },
        { new ResourceExhaustedException("VNI_RANGE_EXHAUSTED", "full"), StatusCode.ResourceExhausted, "VNI_RANGE_EXHAUSTED" },
        { new InvalidFieldException("spec.vni", "spec.vni: out of range"), StatusCode.InvalidArgument, "INVALID_FIELD" },
        { new OrleansTransactionAbortedException("tx", "conflict"), StatusCode.Aborted, "TRANSACTION_ABORTED" },
        { new OrleansTransactionTransientFailureException("tx", "transient"), StatusCode.Aborted, "TRANSACTION_ABORTED" },
        { new OrleansTransactionInDoubtException("tx"), StatusCode.Unavailable, "TRANSACTION_IN_DOUBT" },
        { new OrleansTransactionOverloadException(), StatusCode.ResourceExhausted, "TRANSACTION_OVERLOAD" },
        { new InconsistentStateException("etag"), StatusCode.Aborted, "CONCURRENT_MODIFICATION" },
        { new GatewayTooBusyException(), StatusCode.ResourceExhausted, "CLUSTER_TOO_BUSY" },
        { new SiloUnavailableException("gone"), StatusCode.Unavailable, "CLUSTER_UNAVAILABLE" },
        { new TimeoutException("slow"), StatusCode.DeadlineExceeded, "CLUSTER_TIMEOUT" },
        { new InvalidOperationException("secret detail"), StatusCode.Internal, "INTERNAL" },
        { new AggregateException(new ResourceNotFoundException("VirtualIP", "a/b")), StatusCode.NotFound, "VIRTUALIP_NOT_FOUND" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Map_GivesCodeAndStableReason(Exception exception, StatusCode code, string reason)
    {
        var (error, _) = ExceptionMapping.Map(exception, callCancelled: false);

        Assert.Equal(code, error.StatusCode);
        var info = error.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal(reason, info.Reason);
        Assert.Equal("ironorleans.dev", info.Domain);
    }

    [Fact]
    public void Map_InvalidField_NamesTheFieldInBadRequest()
    {
        var (error, kind) = ExceptionMapping.Map(new InvalidFieldException("spec.ips", "spec.ips is immutable"), callCancelled: false);

        Assert.Equal(FailureKind.Domain, kind);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("spec.ips", violation.Field);
    }

    [Fact]
    public void Map_UnknownException_HidesItsMessage()
    {
        var (error, kind) = ExceptionMapping.Map(new InvalidOperationException("connection string Password=hunter2"), callCancelled: false);

        Assert.Equal(FailureKind.Unexpected, kind);
        Assert.DoesNotContain("hunter2", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.GetRpcStatus()!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Map_CancelledCall_IsCancelled()
    {
        var (error, kind) = ExceptionMapping.Map(new OperationCanceledException(), callCancelled: true);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(FailureKind.Cancelled, kind);
    }

    [Fact]
    public void Map_RpcException_PassesThrough()
    {
        var original = GatewayErrors.Create(StatusCode.FailedPrecondition, "X", "y");
        var (error, _) = ExceptionMapping.Map(original, callCancelled: false);
        Assert.Same(original, error);
    }
}
