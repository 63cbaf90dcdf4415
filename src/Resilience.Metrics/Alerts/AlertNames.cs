namespace Resilience.Metrics;

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
