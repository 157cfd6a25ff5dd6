namespace IronOrleans.Silo.Tests;

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds, at most <paramref name="timeout"/> (bounded in tries too).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string description)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for: {description}");
    }
}
