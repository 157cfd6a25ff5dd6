using Grpc.Core;
using IronOrleans.PacketCore.Control;

namespace IronOrleans.PacketCore.Grpc.Mapping;

/// <summary>
/// dpservice's two error layers (reference/dpservice.md §1.6): transport errors (ABORTED "not initialized",
/// INVALID_ARGUMENT with a descriptive text) and the embedded application <see cref="V1.Status"/>.
/// </summary>
public static class GrpcErrors
{
    /// <summary>gRPC ABORTED "not initialized".</summary>
    public static RpcException NotInitialized() =>
        new(new global::Grpc.Core.Status(StatusCode.Aborted, ControlResult.NotInitializedMessage));

    /// <summary>gRPC INVALID_ARGUMENT with dpservice's text (for example "Invalid interface_id").</summary>
    public static RpcException InvalidArgument(string message) =>
        new(new global::Grpc.Core.Status(StatusCode.InvalidArgument, message));

    /// <summary>The embedded success status (code 0, "Success").</summary>
    public static V1.Status Success() => new() { Code = 0, Message = DpErrors.GetName(DpError.Success) };

    /// <summary>
    /// The embedded status of <paramref name="result"/>; throws the transport error for
    /// <see cref="ControlStatus.InvalidArgument"/> and <see cref="ControlStatus.NotInitialized"/>.
    /// </summary>
    public static V1.Status ToStatus(ControlResult result) => result.Status switch
    {
        ControlStatus.Ok => Success(),
        ControlStatus.Failed => new V1.Status { Code = (uint)result.Error, Message = DpErrors.GetName(result.Error) },
        ControlStatus.InvalidArgument => throw InvalidArgument(result.Message),
        ControlStatus.NotInitialized => throw NotInitialized(),
        _ => throw new RpcException(new global::Grpc.Core.Status(StatusCode.Internal, "reply parsing failed")),
    };
}
