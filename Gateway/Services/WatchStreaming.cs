using Grpc.Core;
using IronOrleans.Gateway.Errors;
using IronOrleans.Gateway.Watch;

namespace IronOrleans.Gateway.Services;

/// <summary>Writes a node watch to a gRPC response stream until the client cancels or the Gateway stops.</summary>
internal static class WatchStreaming
{
    /// <summary>A token that fires when the call ends or the Gateway begins to stop; dispose <paramref name="linked"/> afterwards.</summary>
    public static CancellationToken Token(ServerCallContext context, IHostApplicationLifetime lifetime, out CancellationTokenSource linked)
    {
        linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        return linked.Token;
    }

    public static async Task RunAsync<TResponse>(
        IAsyncEnumerable<WatchItem> items, Func<WatchItem, TResponse> map, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, IHostApplicationLifetime lifetime, CancellationTokenSource linked)
    {
        using (linked)
        {
            try
            {
                await foreach (var item in items)
                {
                    await responseStream.WriteAsync(map(item), linked.Token);
                }
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                throw GatewayErrors.Create(StatusCode.Unavailable, ErrorReasons.GatewayShuttingDown, "the gateway is shutting down; watch again");
            }
        }
    }
}
