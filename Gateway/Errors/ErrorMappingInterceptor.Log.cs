using Grpc.Core;

namespace IronOrleans.Gateway.Errors;

internal sealed partial class ErrorMappingInterceptor
{
    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "{Method} failed unexpectedly; returned {StatusCode}")]
    private static partial void LogUnexpected(ILogger logger, string method, StatusCode statusCode, Exception exception);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "{Method} failed transiently with {ExceptionType}: {Reason}; returned {StatusCode}")]
    private static partial void LogTransient(ILogger logger, string method, StatusCode statusCode, string exceptionType, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "{Method} returned {StatusCode}: {Detail}")]
    private static partial void LogDomain(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Debug, Message = "{Method} was cancelled by the caller")]
    private static partial void LogCancelled(ILogger logger, string method);
}
