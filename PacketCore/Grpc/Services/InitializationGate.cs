using Grpc.Core;
using Grpc.Core.Interceptors;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Grpc.Mapping;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Grpc.Services;

/// <summary>
/// dpservice's initialization gate (reference/dpservice.md §1.1): until Initialize has been called once,
/// every DPDKironcore RPC except Initialize — CheckInitialized, GetVersion and the out-of-scope RPCs
/// included — fails with gRPC ABORTED "not initialized". Other services (health, reflection) pass through.
/// </summary>
public sealed class InitializationGate(IPacketCoreControl control) : Interceptor
{
    private static readonly string ServicePrefix = "/" + DPDKironcore.Descriptor.FullName + "/";
    private static readonly string InitializeMethod = ServicePrefix + "Initialize";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (!control.IsInitialized
            && context.Method.StartsWith(ServicePrefix, StringComparison.Ordinal)
            && !string.Equals(context.Method, InitializeMethod, StringComparison.Ordinal))
        {
            throw GrpcErrors.NotInitialized();
        }

        return continuation(request, context);
    }
}
