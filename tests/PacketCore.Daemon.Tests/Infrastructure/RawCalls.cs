using Grpc.Core;

namespace IronOrleans.PacketCore.Daemon.Tests.Infrastructure;

/// <summary>Unary calls with raw protobuf bytes, to check wire encoding independent of generated code.</summary>
public static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task<byte[]> CallAsync(CallInvoker invoker, string service, string method, byte[] request)
    {
        var m = new Method<byte[], byte[]>(MethodType.Unary, service, method, Bytes, Bytes);
        using var call = invoker.AsyncUnaryCall(m, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), request);
        return await call.ResponseAsync;
    }
}
