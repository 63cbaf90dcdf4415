namespace Resilience.Metrics;

/// <summary>
/// Checks every backend against the alert thresholds and sends state changes to every <see cref="IAlertSink"/>.
/// A DI singleton (<c>services.AddApiMonitoringAlerts()</c>); a hosted service calls <see cref="CheckNowAsync"/>
/// every <see cref="ApiMonitoringAlertOptions.CheckInterval"/>.
/// </summary>
public interface IAlertMonitor
{
    /// <summary>The alerts firing now, one per backend and rule, as they were when they fired.</summary>
    IReadOnlyList<Alert> ActiveAlerts { get; }

    /// <summary>When the last check finished, or null before the first.</summary>
    DateTimeOffset? LastCheck { get; }

    /// <summary>How many times a sink threw (or returned a faulted task) since start.</summary>
    long SinkFailures { get; }

    /// <summary>
    /// Checks every backend now and sends what changed (an alert that fired or resolved) to every sink. Checks run one
    /// at a time; a concurrent call waits for the running one.
    /// </summary>
    /// <returns>The alerts this check sent, in the order they were sent.</returns>
    Task<IReadOnlyList<Alert>> CheckNowAsync(CancellationToken cancellationToken = default);
}
