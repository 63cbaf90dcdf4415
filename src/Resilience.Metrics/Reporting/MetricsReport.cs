using System.Text.Json.Serialization;

namespace Resilience.Metrics;

/// <summary>The comprehensive report of one backend (the guide's <c>get_metrics_report</c>).</summary>
public sealed record MetricsReport
{
    /// <summary>
    /// When the report was made, to the millisecond; the JSON report writes it in Unix seconds (<c>timestamp</c>, as the
    /// guide's <c>time.time()</c>). The Unix epoch (0) for a report built without one.
    /// </summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>The backend's name (<c>api_name</c> in the JSON report, as the guide calls it).</summary>
    [JsonPropertyName("api_name")]
    public required string Backend { get; init; }

    /// <summary>Seconds since the backend was registered.</summary>
    public double UptimeSeconds { get; init; }

    /// <summary>Requests completed since start or the last reset.</summary>
    public long TotalRequests { get; init; }

    /// <summary>Requests that succeeded.</summary>
    public long Successes { get; init; }

    /// <summary>Requests that failed.</summary>
    public long Failures { get; init; }

    /// <summary>Requests whose final error was a timeout.</summary>
    public long Timeouts { get; init; }

    /// <summary>Requests that were retried at least once.</summary>
    public long Retries { get; init; }

    /// <summary>Retry attempts in all.</summary>
    public long RetryAttempts { get; init; }

    /// <summary>Successes divided by requests (0 when there were none).</summary>
    public double SuccessRate { get; init; }

    /// <summary>Prompt and completion token totals.</summary>
    public required TokenCounts TokenCounts { get; init; }

    /// <summary>Latency figures.</summary>
    public required LatencyMetrics Latency { get; init; }

    /// <summary>Queue figures.</summary>
    public required QueueMetrics Queue { get; init; }

    /// <summary>Circuit breaker figures.</summary>
    public required CircuitBreakerMetrics CircuitBreaker { get; init; }

    /// <summary>Error figures.</summary>
    public required ErrorMetrics Errors { get; init; }

    /// <summary>Throughput over the default 60 s window.</summary>
    public required ThroughputMetrics Throughput { get; init; }

    /// <summary>Per-model figures, by model name.</summary>
    public required IReadOnlyDictionary<string, ModelMetrics> Models { get; init; }

    /// <summary>Faults inside monitoring itself that were caught (the requests went on unharmed).</summary>
    public long MonitoringErrors { get; init; }

    /// <summary>The provider's rate limits from the latest response headers (<c>rate_limits</c>); empty when none came.</summary>
    public RateLimitsReport RateLimits { get; init; } = RateLimitsReport.None;

    /// <summary>
    /// What the priced models' tokens cost, in USD, since start or the last reset (the sum of the models'
    /// <see cref="ModelMetrics.CostUsd"/>); null when the backend has no price table.
    /// </summary>
    public double? CostUsd { get; init; }

    /// <summary>The models that matched no price (they add nothing to <see cref="CostUsd"/>); null when the backend has no price table.</summary>
    public IReadOnlyList<string>? UnpricedModels { get; init; }

    /// <summary>
    /// The last minutes, by name (<c>"1m"</c>, <c>"5m"</c>, <c>"15m"</c>): what the sliding windows recorded, aligned to
    /// their 5 s slices. Empty for a report built by hand.
    /// </summary>
    public IReadOnlyDictionary<string, WindowMetrics> Windows { get; init; } = WindowMetrics.None;
}
