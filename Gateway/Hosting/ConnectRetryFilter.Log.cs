namespace IronOrleans.Gateway.Hosting;

internal sealed partial class ConnectRetryFilter
{
    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Connecting to the Orleans cluster failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Could not connect to the Orleans cluster after {Attempt} attempts within {Timeout}")]
    private static partial void LogGaveUp(ILogger logger, int attempt, TimeSpan timeout, Exception exception);
}
