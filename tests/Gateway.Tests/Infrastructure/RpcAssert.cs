using Google.Rpc;
using Grpc.Core;

namespace IronOrleans.Gateway.Tests.Infrastructure;

/// <summary>Assertions on gRPC errors and their rich status details.</summary>
public static class RpcAssert
{
    /// <summary>Awaits <paramref name="call"/>, expects it to fail with <paramref name="code"/> and returns the google.rpc.Status.</summary>
    public static async Task<Google.Rpc.Status> FailsAsync(StatusCode code, Func<Task> call, string? reason = null)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == error.StatusCode, $"expected {code}, got {error.StatusCode}: {error.Status.Detail}");
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        var info = status.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal("ironorleans.dev", info.Domain);
        if (reason is not null)
        {
            Assert.Equal(reason, info.Reason);
        }

        return status;
    }

    /// <summary>Expects <c>InvalidArgument</c> with a field violation on <paramref name="field"/>.</summary>
    public static async Task InvalidFieldAsync(string field, Func<Task> call)
    {
        var status = await FailsAsync(StatusCode.InvalidArgument, call, "INVALID_FIELD");
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        var fields = badRequest.FieldViolations.Select(v => v.Field).ToList();
        Assert.True(fields.Contains(field), $"expected a violation on '{field}', got [{string.Join(", ", fields)}]");
    }
}
