namespace Resilience.Metrics;

/// <summary>The thresholds the alert monitor checks (the monitoring guide's alert configuration).</summary>
public enum AlertRule
{
    /// <summary><c>error_rate</c>: failed requests divided by requests, above <see cref="ApiMonitoringAlertOptions.ErrorRate"/>.</summary>
    ErrorRate,

    /// <summary><c>p95_latency</c>: the 95th latency percentile in milliseconds, above <see cref="ApiMonitoringAlertOptions.P95Latency"/>.</summary>
    P95Latency,

    /// <summary><c>queue_size</c>: requests waiting in the queue, more than <see cref="ApiMonitoringAlertOptions.QueueSize"/>.</summary>
    QueueSize,

    /// <summary><c>circuit_open</c>: the circuit is open (1) rather than closed or half-open (0); with <see cref="ApiMonitoringAlertOptions.CircuitOpen"/>.</summary>
    CircuitOpen,

    /// <summary><c>spend_rate</c>: USD per hour over the window, above <see cref="ApiMonitoringAlertOptions.SpendPerHourBudget"/> (priced backends only).</summary>
    SpendRate,
    /// <summary>
    /// <c>rate_limit_headroom</c>: the share of the provider's rate limit left (<c>remaining / limit</c>, the lowest kind),
    /// below <see cref="ApiMonitoringAlertOptions.RateLimitHeadroom"/>. The one rule that fires below its threshold.
    /// </summary>
    RateLimitHeadroom,
}
