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

/// <summary>Whether an alert started or ended.</summary>
public enum AlertState
{
    /// <summary>The value crossed its threshold.</summary>
    Firing,

    /// <summary>The value is back at or below its threshold.</summary>
    Resolved,
}

/// <summary>The guide's snake_case names of <see cref="AlertRule"/> and <see cref="AlertState"/>.</summary>
internal static class AlertNames
{
    /// <summary><c>error_rate</c>, <c>p95_latency</c> or <c>queue_size</c>.</summary>
    public static string ToName(this AlertRule rule) => rule switch
    {
        AlertRule.ErrorRate => "error_rate",
        AlertRule.P95Latency => "p95_latency",
        AlertRule.QueueSize => "queue_size",
        AlertRule.CircuitOpen => "circuit_open",
        AlertRule.SpendRate => "spend_rate",
        AlertRule.RateLimitHeadroom => "rate_limit_headroom",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown alert rule."),
    };

    /// <summary><c>firing</c> or <c>resolved</c>.</summary>
    public static string ToName(this AlertState state) => state switch
    {
        AlertState.Firing => "firing",
        AlertState.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown alert state."),
    };
}

/// <summary>
/// A threshold of one backend was crossed (<see cref="AlertState.Firing"/>) or cleared (<see cref="AlertState.Resolved"/>).
/// Sent once per change, never again while the state stays the same. Carries figures only: no request, header or credential.
/// </summary>
public sealed record Alert
{
    /// <summary>The backend's name (the <c>api</c> label).</summary>
    public required string Backend { get; init; }

    /// <summary>Which threshold.</summary>
    public required AlertRule Rule { get; init; }

    /// <summary>Whether the alert started or ended.</summary>
    public required AlertState State { get; init; }

    /// <summary>The value when the state changed: a ratio (error rate), milliseconds (P95 latency), a request count (queue size) or USD per hour (spend rate).</summary>
    public required double Value { get; init; }

    /// <summary>The threshold, in the unit of <see cref="Value"/>.</summary>
    public required double Threshold { get; init; }

    /// <summary>When the check saw the change (from the DI <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>A human-readable line, like the guide's <c>High error rate: 7.50%</c>.</summary>
    public required string Message { get; init; }

    /// <summary>The rule's snake_case name: <c>error_rate</c>, <c>p95_latency</c> or <c>queue_size</c>.</summary>
    public string RuleName => Rule.ToName();
}
