using Grpc.Core;

namespace IronOrleans.Gateway.Tests.Infrastructure;

/// <summary>Reads a server stream with a bounded wait per message and a timeout message that says what was expected.</summary>
public static class StreamReading
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<T> NextAsync<T>(IAsyncStreamReader<T> stream, string expected)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wait);
        try
        {
            Assert.True(await stream.MoveNext(cts.Token), $"the stream ended while waiting for {expected}");
            return stream.Current;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no message within {Wait.TotalSeconds:0} s while waiting for {expected}", e);
        }
        catch (OperationCanceledException e) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no message within {Wait.TotalSeconds:0} s while waiting for {expected}", e);
        }
    }
}
