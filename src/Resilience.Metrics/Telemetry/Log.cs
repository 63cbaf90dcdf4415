using Microsoft.Extensions.Logging;

namespace Resilience.Metrics;

/// <summary>The library's log messages. None carries a request, a header or an exception message: no credential can leak.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Circuit of backend {Backend} opened for {BreakDuration} after {ErrorType} (manual: {IsManual})")]
    public static partial void CircuitOpened(ILogger logger, string backend, TimeSpan breakDuration, string errorType, bool isManual);

    [LoggerMessage(2, LogLevel.Information, "Circuit of backend {Backend} half-opened: a trial request goes through")]
    public static partial void CircuitHalfOpened(ILogger logger, string backend);

    [LoggerMessage(3, LogLevel.Information, "Circuit of backend {Backend} closed (manual: {IsManual})")]
    public static partial void CircuitClosed(ILogger logger, string backend, bool isManual);

    [LoggerMessage(4, LogLevel.Warning, "Monitoring of backend {Backend} failed with {ExceptionType}; the request went on unharmed")]
    public static partial void MonitoringFault(ILogger logger, string backend, string exceptionType);

    [LoggerMessage(5, LogLevel.Warning, "Reloaded monitoring options of client {Client} rejected; the previous options stay in force: {Problems}")]
    public static partial void ReloadRejected(ILogger logger, string client, string problems);

    [LoggerMessage(6, LogLevel.Information, "Monitoring options of client {Client} reloaded (backend {Backend})")]
    public static partial void Reloaded(ILogger logger, string client, string backend);
}
