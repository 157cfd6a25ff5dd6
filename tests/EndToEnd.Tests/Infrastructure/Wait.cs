namespace IronOrleans.EndToEnd.Tests.Infrastructure;

/// <summary>Bounded polling for conditions that other processes make true.</summary>
public static class Wait
{
    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="interval"/> (default 200 ms) until it holds, at most
    /// <paramref name="timeout"/> and 2,000 tries; then fails naming <paramref name="description"/> and what
    /// <paramref name="lastSeen"/> reports about the final state. Exceptions of the condition count as "not yet"
    /// and the last one is reported.
    /// </summary>
    public static async Task<TimeSpan> UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string description, Func<Task<string>>? lastSeen = null, TimeSpan? interval = null)
    {
        var started = DateTime.UtcNow;
        var deadline = started + timeout;
        Exception? last = null;
        for (var attempt = 0; attempt < 2_000; attempt++)
        {
            try
            {
                if (await condition())
                {
                    return DateTime.UtcNow - started;
                }

                last = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex;
            }

            if (DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        }

        var seen = "";
        if (lastSeen is not null)
        {
            try
            {
                seen = "\nLast seen: " + await lastSeen();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                seen = "\nLast seen: (failed: " + ex.Message + ")";
            }
        }

        var error = last is null ? "" : $"\nLast error: {last.GetType().Name}: {last.Message}";
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {description}.{seen}{error}");
    }
}
