using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using IronOrleans.Gateway.Diagnostics;

namespace IronOrleans.Gateway.Errors;

/// <summary>
/// The one place where failures become gRPC statuses (STYLE §2.6): typed domain exceptions keep their stable reason,
/// infrastructure failures get transient codes, anything else is <c>Internal</c> with a generic message and the details
/// only in the log. Also records the per-method request, latency and error metrics.
/// </summary>
internal sealed partial class ErrorMappingInterceptor(GatewayInstruments instruments, ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            instruments.OnCallCompleted(context.Method, StatusCode.OK, Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception exception)
        {
            throw Fail(exception, context, started);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context);
            instruments.OnCallCompleted(context.Method, StatusCode.OK, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception exception)
        {
            throw Fail(exception, context, started);
        }
    }

    private RpcException Fail(Exception exception, ServerCallContext context, long started)
    {
        var (error, kind) = ExceptionMapping.Map(exception, context.CancellationToken.IsCancellationRequested);
        switch (kind)
        {
            case FailureKind.Unexpected:
                LogUnexpected(logger, context.Method, error.StatusCode, exception);
                break;
            case FailureKind.Transient:
                LogTransient(logger, context.Method, error.StatusCode, exception.GetType().Name, exception.Message);
                break;
            case FailureKind.Cancelled:
                LogCancelled(logger, context.Method);
                break;
            default:
                LogDomain(logger, context.Method, error.StatusCode, error.Status.Detail);
                break;
        }

        instruments.OnCallCompleted(context.Method, error.StatusCode, Stopwatch.GetElapsedTime(started));
        return error;
    }
}
