using IronOrleans.Grains.Errors;

namespace IronOrleans.Grains.Tests;

/// <summary>
/// A grain method that runs in its own transaction and refuses (throws a domain error) reaches a direct
/// caller as <c>OrleansTransactionAbortedException</c> with the refusal inside; the Gateway and the
/// control-plane grain unwrap it. This helper does the same for tests that call grains directly.
/// </summary>
internal static class Expect
{
    public static async Task<T> ThrowsAsync<T>(Func<Task> action)
        where T : IronOrleansException
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            for (var e = (Exception?)ex; e is not null; e = e.InnerException)
            {
                if (e is T match)
                {
                    return match;
                }
            }

            throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name} but got {ex.GetType().Name}: {ex.Message}");
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name} but nothing was thrown");
    }
}
