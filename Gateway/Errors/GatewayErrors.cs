using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using IronOrleans.Grains.Validation;

namespace IronOrleans.Gateway.Errors;

/// <summary>Builds the Gateway's error statuses: a gRPC code plus <c>google.rpc.ErrorInfo</c> and, for bad input, <c>google.rpc.BadRequest</c>.</summary>
internal static class GatewayErrors
{
    /// <summary>An <see cref="RpcException"/> with rich status details.</summary>
    public static RpcException Create(StatusCode code, string reason, string message, BadRequest? badRequest = null)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = ErrorReasons.Domain }) },
        };
        if (badRequest is not null)
        {
            status.Details.Add(Any.Pack(badRequest));
        }

        return status.ToRpcException();
    }

    /// <summary><c>InvalidArgument</c> naming every violated field.</summary>
    public static RpcException InvalidArgument(IReadOnlyList<(string Field, string Description)> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var badRequest = new BadRequest();
        foreach (var (field, description) in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }

        var (firstField, firstDescription) = violations[0];
        var message = violations.Count == 1
            ? $"{firstField}: {firstDescription}"
            : $"{firstField}: {firstDescription} (and {violations.Count - 1} more field violations)";
        return Create(StatusCode.InvalidArgument, ErrorReasons.InvalidField, message, badRequest);
    }

    /// <summary>Throws <c>InvalidArgument</c> when <paramref name="errors"/> holds anything.</summary>
    public static void ThrowIfInvalid(FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!errors.IsEmpty)
        {
            ThrowInvalid(errors);
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalid(FieldErrors errors) => throw InvalidArgument(errors.Errors);
}
