using Microsoft.Extensions.Logging;

namespace Resilience.Metrics;

/// <summary>The alerts' log messages (event ids 10+; the rest of the library's are in <c>Log</c>).</summary>
internal static partial class AlertLog
{
    // Alerts (ids 10+): figures only, never a sink's exception message (it could carry a webhook's secret).
    [LoggerMessage(EventId = 10, Message = "Alert {Rule} of backend {Backend} is {State}: value {Value}, threshold {Threshold}")]
    public static partial void AlertStateChanged(ILogger logger, LogLevel level, string rule, string backend, AlertState state, double value, double threshold);

    [LoggerMessage(11, LogLevel.Warning, "Alert sink {Sink} failed with {ExceptionType} sending {Rule} {State} of backend {Backend}; the other sinks and later checks go on")]
    public static partial void AlertSinkFailed(ILogger logger, string sink, string exceptionType, string rule, AlertState state, string backend);

    [LoggerMessage(12, LogLevel.Error, "Alert check failed with {ExceptionType}; the next check runs in {CheckInterval}")]
    public static partial void AlertCheckFailed(ILogger logger, string exceptionType, TimeSpan checkInterval);
}
