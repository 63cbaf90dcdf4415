using Microsoft.Extensions.Logging;

namespace Resilience.Metrics;

/// <summary>
/// The default sink: logs each alert (category <c>Resilience.Metrics.Alerts</c>) as a warning when it fires and as
/// information when it resolves, with the backend's name, the rule, the value and the threshold only.
/// </summary>
internal sealed class LoggerAlertSink : IAlertSink
{
    /// <summary>The log category of alerts and of the alert monitor.</summary>
    public const string Category = "Resilience.Metrics.Alerts";

    private readonly ILogger _logger;

    public LoggerAlertSink(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    public ValueTask SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var level = alert.State == AlertState.Firing ? LogLevel.Warning : LogLevel.Information;
        AlertLog.AlertStateChanged(_logger, level, alert.RuleName, alert.Backend, alert.State, alert.Value, alert.Threshold);
        return ValueTask.CompletedTask;
    }
}
