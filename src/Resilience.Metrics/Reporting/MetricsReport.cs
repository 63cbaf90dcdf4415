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

/// <summary>
/// What a backend (or a model) recorded over a recent window. A window of W covers the newest W / 5 s − 1 complete
/// slices and the current slice: between W − 5 s and W (less for a backend, or a reset, younger than that).
/// </summary>
public sealed record WindowMetrics
{
    /// <summary>No windows (a report built by hand).</summary>
    public static IReadOnlyDictionary<string, WindowMetrics> None { get; } = new Dictionary<string, WindowMetrics>(StringComparer.Ordinal);

    /// <summary>How many seconds the window actually covers (rates divide by it).</summary>
    public double WindowSeconds { get; init; }

    /// <summary>Requests completed in the window.</summary>
    public long Requests { get; init; }

    /// <summary>Requests that succeeded.</summary>
    public long Successes { get; init; }

    /// <summary>Requests that failed.</summary>
    public long Failures { get; init; }

    /// <summary>Requests whose final error was a timeout (backends only).</summary>
    public long Timeouts { get; init; }

    /// <summary>Successes divided by requests (0 when there were none).</summary>
    public double SuccessRate { get; init; }

    /// <summary>Failures divided by requests (0 when there were none).</summary>
    public double ErrorRate { get; init; }

    /// <summary>Mean latency in milliseconds.</summary>
    public double AvgLatency { get; init; }

    /// <summary>Latency percentiles in milliseconds, by name; empty for a model without detailed latency.</summary>
    public required IReadOnlyDictionary<string, double> Percentiles { get; init; }

    /// <summary>Requests completed per second.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Prompt and completion tokens per second.</summary>
    public double TokensPerSecond { get; init; }

    /// <summary>Errors by category (every category for a backend; empty for a model, which keeps none).</summary>
    public required IReadOnlyDictionary<string, long> ErrorCategories { get; init; }

    /// <summary>What the window's tokens cost in USD (a backend: its priced models'); null without a price table or for an unpriced model.</summary>
    public double? CostUsd { get; init; }
}

/// <summary>
/// One 5 s slice of a backend's recent history (<see cref="IMetricsReporter.GetHistory"/>): when it ended, the totals
/// then (since start or the last reset, as in a report), and the latency percentiles of the minute that ended then.
/// </summary>
public sealed record HistorySample
{
    /// <summary>When the slice ended; the JSON history writes it in Unix seconds. The Unix epoch (0) when not set.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>Requests completed by then.</summary>
    public long TotalRequests { get; init; }

    /// <summary>Successful requests by then.</summary>
    public long Successes { get; init; }

    /// <summary>Failed requests by then.</summary>
    public long Failures { get; init; }

    /// <summary>Prompt and completion tokens by then.</summary>
    public long Tokens { get; init; }

    /// <summary>Latency percentiles in milliseconds over the minute that ended then.</summary>
    public required IReadOnlyDictionary<string, double> Percentiles { get; init; }
}

/// <summary>Token totals.</summary>
/// <param name="Prompt">Prompt (input) tokens, cached ones included.</param>
/// <param name="Completion">Completion (output) tokens, reasoning ones included.</param>
public sealed record TokenCounts(long Prompt, long Completion)
{
    /// <summary>Prompt tokens served from the provider's prompt cache (OpenAI <c>cached_tokens</c>, Anthropic
    /// <c>cache_read_input_tokens</c>, Gemini <c>cachedContentTokenCount</c>): a part of <see cref="Prompt"/>.</summary>
    public long Cached { get; init; }

    /// <summary>Completion tokens spent on reasoning (OpenAI <c>reasoning_tokens</c>, Gemini <c>thoughtsTokenCount</c>):
    /// a part of <see cref="Completion"/>.</summary>
    public long Reasoning { get; init; }
}

/// <summary>Latency in milliseconds.</summary>
public sealed record LatencyMetrics
{
    /// <summary>Mean latency.</summary>
    public double AvgLatency { get; init; }

    /// <summary>Smallest latency.</summary>
    public double MinLatency { get; init; }

    /// <summary>Largest latency.</summary>
    public double MaxLatency { get; init; }

    /// <summary>Percentiles by name (<c>"50"</c>, <c>"99.9"</c>), within 1 % of the exact value.</summary>
    public required IReadOnlyDictionary<string, double> Percentiles { get; init; }

    /// <summary>How many latencies were recorded.</summary>
    public long Count { get; init; }

    /// <summary>
    /// Time from a request's start to the first chunk of its body, for streamed responses, in the same figures; null when
    /// there were none (and always null inside itself).
    /// </summary>
    public LatencyMetrics? TimeToFirstByte { get; init; }

    /// <summary>The values as Prometheus buckets (<c>api_request_duration_seconds</c>, <c>api_time_to_first_chunk_seconds</c>); not in the JSON report.</summary>
    internal DurationHistogram? Histogram { get; init; }
}

/// <summary>Requests and tokens per second over a time window.</summary>
public sealed record ThroughputMetrics
{
    /// <summary>Requests completed per second in the window.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Requests completed in the window.</summary>
    public long TotalRequestsInWindow { get; init; }

    /// <summary>The window's length in seconds.</summary>
    public double TimeWindowSeconds { get; init; }

    /// <summary>Tokens per second in the window.</summary>
    public required TokenThroughput TokenThroughput { get; init; }
}

/// <summary>Tokens per second.</summary>
/// <param name="TokensPerSecond">Prompt and completion tokens per second.</param>
/// <param name="PromptTokensPerSecond">Prompt tokens per second.</param>
/// <param name="CompletionTokensPerSecond">Completion tokens per second.</param>
public sealed record TokenThroughput(double TokensPerSecond, double PromptTokensPerSecond, double CompletionTokensPerSecond);

/// <summary>Error figures.</summary>
public sealed record ErrorMetrics
{
    /// <summary>Failed requests divided by requests.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Failed requests.</summary>
    public long TotalErrors { get; init; }

    /// <summary>Errors by type (exception type name or status code), failed attempts that were retried included.</summary>
    public required IReadOnlyDictionary<string, long> ErrorTypes { get; init; }

    /// <summary>Errors by category; every one of the seven categories is present.</summary>
    public required IReadOnlyDictionary<string, long> ErrorCategories { get; init; }

    /// <summary>The most frequent error type, or null when there was none.</summary>
    public string? MostCommonError { get; init; }
}

/// <summary>One model's figures.</summary>
public sealed record ModelMetrics
{
    /// <summary>Requests for the model.</summary>
    public long Requests { get; init; }

    /// <summary>Successful requests.</summary>
    public long Successes { get; init; }

    /// <summary>Failed requests.</summary>
    public long Failures { get; init; }

    /// <summary>Successes divided by requests.</summary>
    public double SuccessRate { get; init; }

    /// <summary>Mean latency in milliseconds.</summary>
    public double AvgLatency { get; init; }

    /// <summary>Requests that were retried.</summary>
    public long Retries { get; init; }

    /// <summary>Prompt and completion token totals.</summary>
    public required TokenCounts TokenCounts { get; init; }

    /// <summary>Latency percentiles in milliseconds, when detailed latency is on; otherwise null.</summary>
    public IReadOnlyDictionary<string, double>? Percentiles { get; init; }

    /// <summary>
    /// The models the responses named (OpenTelemetry's <c>gen_ai.response.model</c>), such as the dated snapshot
    /// <c>gpt-4o-mini-2024-07-18</c> behind <c>gpt-4o-mini</c>; the first eight distinct ones, in the order seen.
    /// </summary>
    public IReadOnlyList<string> ResponseModels { get; init; } = [];

    /// <summary>The latencies as Prometheus buckets, when detailed latency is on; otherwise null. Not in the JSON report.</summary>
    internal DurationHistogram? Histogram { get; init; }

    /// <summary>What the model's tokens cost in USD since start or the last reset; null without a price table or a price for the model.</summary>
    public double? CostUsd { get; init; }

    /// <summary>The model's last 1, 5 and 15 minutes (percentiles only with detailed latency).</summary>
    public IReadOnlyDictionary<string, WindowMetrics> Windows { get; init; } = WindowMetrics.None;
}

/// <summary>Queue figures.</summary>
public sealed record QueueMetrics
{
    /// <summary>Requests waiting now.</summary>
    public long CurrentQueueSize { get; init; }

    /// <summary>Requests in flight now.</summary>
    public long ActiveRequests { get; init; }

    /// <summary>Mean time requests waited for admission, in milliseconds.</summary>
    public double AvgQueueTimeMs { get; init; }

    /// <summary>Mean queue length requests saw on arrival.</summary>
    public double AvgQueueLength { get; init; }

    /// <summary>Longest queue a request saw on arrival.</summary>
    public long MaxQueueLength { get; init; }

    /// <summary>Requests rejected because the queue was full.</summary>
    public long QueueRejectionCount { get; init; }
}

/// <summary>Circuit breaker figures.</summary>
public sealed record CircuitBreakerMetrics
{
    /// <summary>The state now; the JSON report writes <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
    public required CircuitState CurrentState { get; init; }

    /// <summary><see cref="CurrentState"/> as every output prints it: <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string CurrentStateName => CurrentState.ToName();

    /// <summary>Consecutive failed attempts the breaker has seen since its last success.</summary>
    public long FailureCount { get; init; }

    /// <summary>The configured failure threshold.</summary>
    public int FailureThreshold { get; init; }

    /// <summary>How many times the circuit opened.</summary>
    public long OpenCircuitCount { get; init; }

    /// <summary>Seconds spent in each state (<c>CLOSED</c>, <c>OPEN</c>, <c>HALF-OPEN</c>).</summary>
    public required IReadOnlyDictionary<string, double> StateTimeSeconds { get; init; }

    /// <summary>Share of the time spent <c>CLOSED</c>, in percent.</summary>
    public double UptimePercentage { get; init; }

    /// <summary>The most recent state changes, oldest first.</summary>
    public required IReadOnlyList<CircuitStateChange> StateChanges { get; init; }
}

/// <summary>A circuit state change as reports show it.</summary>
/// <param name="State">The new state; the JSON report writes <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</param>
/// <param name="Timestamp">When it happened, to the millisecond; the JSON report writes it in Unix seconds.</param>
public sealed record CircuitStateChange(CircuitState State, DateTimeOffset Timestamp)
{
    /// <summary><see cref="State"/> as every output prints it: <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string StateName => State.ToName();
}
