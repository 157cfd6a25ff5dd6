using IronOrleans.Grains.Errors;

namespace IronOrleans.Gateway.Errors;

/// <summary>
/// Finds the domain error behind a failure: a grain's refusal inside a transaction the Gateway started (every read
/// is one) reaches the Gateway wrapped in an <c>OrleansTransactionAbortedException</c>.
/// </summary>
internal static class DomainErrors
{
    private const int MaxDepth = 8;

    /// <summary>The first <see cref="IronOrleansException"/> in the exception's chain, or null.</summary>
    public static IronOrleansException? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < MaxDepth; depth++)
        {
            switch (exception)
            {
                case IronOrleansException domain:
                    return domain;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    break;
                default:
                    exception = exception.InnerException;
                    break;
            }
        }

        return null;
    }

    /// <summary>Whether the failure is the domain error "not found".</summary>
    public static bool IsNotFound(Exception exception) => Find(exception) is ResourceNotFoundException;
}
