using Grpc.Core;
using Grpc.Core.Interceptors;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Grpc.Services;

/// <summary>
/// dpservice's initialization gate (reference/dpservice.md §1.1): until Initialize has been called once,
/// every DPDKironcore RPC except Initialize — CheckInitialized, GetVersion and the out-of-scope RPCs
/// included — fails with gRPC ABORTED "not initialized". Other services (health, reflection) pass through.
/// </summary>
public sealed class InitializationGate(DpServiceInstance instance) : Interceptor
{
    /// <summary>The status detail dpservice-cli looks for.</summary>
    public const string NotInitializedMessage = "not initialized";

    private static readonly string ServicePrefix = "/" + DPDKironcore.Descriptor.FullName + "/";
    private static readonly string InitializeMethod = ServicePrefix + "Initialize";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (!instance.IsInitialized
            && context.Method.StartsWith(ServicePrefix, StringComparison.Ordinal)
            && !string.Equals(context.Method, InitializeMethod, StringComparison.Ordinal))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.Aborted, NotInitializedMessage));
        }

        return continuation(request, context);
    }
}
