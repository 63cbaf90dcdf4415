namespace Resilience.Metrics;

/// <summary>
/// Every family of <c>/monitoring/metrics</c>, in the order of the exposition: the one place a name, type, help text
/// or label is spelled. The Prometheus text is written from it, and the alert rules and the dashboard take names from
/// it; a new metric is an entry here (and a query or a rule where it should show).
/// </summary>
/// <remarks>
/// The guide's families keep its names, types and help texts, even where Prometheus naming would differ
/// (<c>_milliseconds</c>); added families follow the conventions (base units, counters end in <c>_total</c>).
/// Counters restart from zero after a reset, which <c>rate()</c> treats as a counter reset.
/// </remarks>
internal static class MetricCatalog
{
    /// <summary>The value of <c>api_circuit_state</c> for an open circuit (the alert rules test for it).</summary>
    public const int OpenCircuitValue = 2;

    // The guide's families, in the guide's order.
    public static readonly MetricFamily RequestsTotal = new("api_requests_total", MetricKind.Counter, "requests", "Total number of API requests", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.TotalRequests), "api.client.requests");

    public static readonly MetricFamily SuccessRate = new("api_success_rate", MetricKind.Gauge, "ratio", "Success rate of API requests", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.SuccessRate));

    public static readonly MetricFamily LatencyMilliseconds = new("api_latency_milliseconds", MetricKind.Gauge, "milliseconds", "API request latency in milliseconds", ["percentile"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (percentile, value) in r.Latency.Percentiles)
            {
                f.Start(r.Backend);
                f.Label("percentile"u8, percentile);
                f.End(value);
            }
        });

    public static readonly MetricFamily QueueSize = new("api_queue_size", MetricKind.Gauge, "requests", "Current number of requests in queue", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Queue.CurrentQueueSize), "api.client.queue.length");

    public static readonly MetricFamily ActiveRequests = new("api_active_requests", MetricKind.Gauge, "requests", "Current number of active requests", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Queue.ActiveRequests), "api.client.active_requests");

    public static readonly MetricFamily ErrorRate = new("api_error_rate", MetricKind.Gauge, "ratio", "Rate of API request errors", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Errors.ErrorRate));

    public static readonly MetricFamily CircuitStateGauge = new("api_circuit_state", MetricKind.Gauge, "state", "Current circuit breaker state (0=CLOSED, 1=HALF-OPEN, 2=OPEN)", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            // An unknown state has no honest number: the series is left out rather than guessed.
            if (CircuitStateValue(r.CircuitBreaker.CurrentState) is { } state)
            {
                f.Sample(r.Backend, state);
            }
        },
        "api.client.circuit.state");

    public static readonly MetricFamily ThroughputRps = new("api_throughput_rps", MetricKind.Gauge, "requests per second", "Requests per second", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Throughput.RequestsPerSecond));

    public static readonly MetricFamily ModelRequestsTotal = new("api_model_requests_total", MetricKind.Counter, "requests", "Total requests for a specific model", ["model"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (model, stats) in r.Models)
            {
                f.Sample(r.Backend, model, stats.Requests);
            }
        });

    public static readonly MetricFamily ModelSuccessRate = new("api_model_success_rate", MetricKind.Gauge, "ratio", "Success rate for a specific model", ["model"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (model, stats) in r.Models)
            {
                f.Sample(r.Backend, model, stats.SuccessRate);
            }
        });

    public static readonly MetricFamily ModelLatencyMilliseconds = new("api_model_latency_milliseconds", MetricKind.Gauge, "milliseconds", "Average latency for a specific model", ["model"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (model, stats) in r.Models)
            {
                f.Sample(r.Backend, model, stats.AvgLatency);
            }
        });

    // Added families.
    public static readonly MetricFamily FailuresTotal = new("api_failures_total", MetricKind.Counter, "requests", "Total number of failed API requests", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Failures));

    public static readonly MetricFamily TimeoutsTotal = new("api_timeouts_total", MetricKind.Counter, "requests", "API requests whose final error was a timeout", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Timeouts));

    public static readonly MetricFamily RetriesTotal = new("api_retries_total", MetricKind.Counter, "requests", "API requests that were retried at least once", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Retries));

    public static readonly MetricFamily RetryAttemptsTotal = new("api_retry_attempts_total", MetricKind.Counter, "attempts", "Retry attempts of API requests", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.RetryAttempts), "api.client.retries");

    public static readonly MetricFamily ErrorsTotal = new("api_errors_total", MetricKind.Counter, "errors", "API request errors by category", ["category"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            // Always the seven categories, so dashboards and alerts see a fixed label set.
            for (var c = 0; c < ErrorCategoryNames.All.Count; c++)
            {
                var name = ErrorCategoryNames.All[c].ToName();
                f.Start(r.Backend);
                f.Label("category"u8, name);
                f.End(r.Errors.ErrorCategories.TryGetValue(name, out var count) ? count : 0L);
            }
        });

    public static readonly MetricFamily TokensTotal = new("api_tokens_total", MetricKind.Counter, "tokens", "Tokens processed, by type (prompt, completion)", ["type"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            f.Start(r.Backend);
            f.Label("type"u8, "prompt"u8);
            f.End(r.TokenCounts.Prompt);
            f.Start(r.Backend);
            f.Label("type"u8, "completion"u8);
            f.End(r.TokenCounts.Completion);
        },
        "gen_ai.client.token.usage");

    public static readonly MetricFamily TokenDetailsTotal = new("api_token_details_total", MetricKind.Counter, "tokens",
        "Parts of the token totals: cached prompt tokens, reasoning completion tokens, cache-write prompt tokens", ["type"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            f.Start(r.Backend);
            f.Label("type"u8, "cached"u8);
            f.End(r.TokenCounts.Cached);
            f.Start(r.Backend);
            f.Label("type"u8, "reasoning"u8);
            f.End(r.TokenCounts.Reasoning);
            f.Start(r.Backend);
            f.Label("type"u8, "cache_write"u8);
            f.End(r.TokenCounts.CacheWrite);
        });

    public static readonly MetricFamily TokenThroughputTps = new("api_token_throughput_tps", MetricKind.Gauge, "tokens per second", "Tokens (prompt and completion) per second", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Throughput.TokenThroughput.TokensPerSecond));

    public static readonly MetricFamily ModelTokensTotal = new("api_model_tokens_total", MetricKind.Counter, "tokens", "Tokens for a specific model, by type (prompt, completion)", ["model", "type"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (model, stats) in r.Models)
            {
                f.Start(r.Backend);
                f.Label("model"u8, model);
                f.Label("type"u8, "prompt"u8);
                f.End(stats.TokenCounts.Prompt);
                f.Start(r.Backend);
                f.Label("model"u8, model);
                f.Label("type"u8, "completion"u8);
                f.End(stats.TokenCounts.Completion);
            }
        });

    // Only priced models have a series: an unpriced model's cost is unknown, not zero.
    public static readonly MetricFamily CostUsdTotal = new("api_cost_usd_total", MetricKind.Counter, "USD", "What the priced models' tokens cost, in US dollars, from the configured price table", ["model"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            // No price table, no cost: the models are not walked at all.
            if (r.CostUsd is null)
            {
                return;
            }

            foreach (var (model, stats) in r.Models)
            {
                if (stats.CostUsd is { } cost)
                {
                    f.Sample(r.Backend, model, cost);
                }
            }
        },
        "api.client.cost");

    public static readonly MetricFamily QueueRejectionsTotal = new("api_queue_rejections_total", MetricKind.Counter, "requests", "Requests rejected because the queue was full", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.Queue.QueueRejectionCount), "api.client.queue.rejections");

    public static readonly MetricFamily CircuitOpenTotal = new("api_circuit_open_total", MetricKind.Counter, "openings", "Times the circuit breaker opened", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.CircuitBreaker.OpenCircuitCount));

    // A gauge, not a counter: the report's state times restart at each reset and are not a monotonic total.
    public static readonly MetricFamily CircuitStateTimeSeconds = new("api_circuit_state_time_seconds", MetricKind.Gauge, "seconds", "Seconds spent in each circuit state since the last reset", ["state"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (state, seconds) in r.CircuitBreaker.StateTimeSeconds)
            {
                f.Start(r.Backend);
                f.Label("state"u8, state);
                f.End(seconds);
            }
        });

    public static readonly MetricFamily MonitoringErrorsTotal = new("api_monitoring_errors_total", MetricKind.Counter, "faults", "Faults inside monitoring that were caught", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.MonitoringErrors));

    public static readonly MetricFamily UptimeSeconds = new("api_uptime_seconds", MetricKind.Gauge, "seconds", "Seconds since the backend was registered", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.UptimeSeconds));

    // The provider's own rate limits, from the latest response headers: a series per kind the provider sent.
    public static readonly MetricFamily RateLimitLimit = new("api_ratelimit_limit", MetricKind.Gauge, "requests or tokens",
        "The provider's rate limit per window, from its latest response headers, by kind (requests, tokens, input_tokens, output_tokens)", ["kind"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => RateLimitSeries(r, ref f, static m => m.Limit),
        "api.client.rate_limit.limit");

    public static readonly MetricFamily RateLimitRemaining = new("api_ratelimit_remaining", MetricKind.Gauge, "requests or tokens",
        "What is left of the provider's rate limit in the current window, from its latest response headers, by kind", ["kind"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => RateLimitSeries(r, ref f, static m => m.Remaining),
        "api.client.rate_limit.remaining");

    public static readonly MetricFamily RateLimitResetSeconds = new("api_ratelimit_reset_seconds", MetricKind.Gauge, "seconds",
        "Seconds until the provider's rate-limit window resets (0 once passed), by kind", ["kind"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => RateLimitSeries(r, ref f, static m => m.ResetSeconds),
        "api.client.rate_limit.reset");

    public static readonly MetricFamily RateLimitHeaderErrorsTotal = new("api_ratelimit_header_errors_total", MetricKind.Counter, "headers",
        "Rate-limit headers that were malformed, negative or absurd and were ignored", [],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Sample(r.Backend, r.RateLimits.MalformedHeaders));

    // Real histograms: rate() over their buckets gives any window's percentiles, and buckets add up across instances.
    public static readonly MetricFamily RequestDurationSeconds = new("api_request_duration_seconds", MetricKind.Histogram, "seconds", "End-to-end API request duration (queue time and retries included)", ["le"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Histogram(r.Backend, null, r.Latency.Histogram ?? DurationHistogram.Empty),
        "api.client.request.duration");

    public static readonly MetricFamily TimeToFirstChunkSeconds = new("api_time_to_first_chunk_seconds", MetricKind.Histogram, "seconds", "Time from a request's start to the first chunk of a streamed response", ["le"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) => f.Histogram(r.Backend, null, r.Latency.TimeToFirstByte?.Histogram ?? DurationHistogram.Empty));

    // Per model only where the model keeps a histogram (DetailedLatency): 19 series a model.
    public static readonly MetricFamily ModelRequestDurationSeconds = new("api_model_request_duration_seconds", MetricKind.Histogram, "seconds", "End-to-end API request duration for a specific model", ["model", "le"],
        static (MetricsReport r, ref PrometheusFormatter.Family f) =>
        {
            foreach (var (model, stats) in r.Models)
            {
                if (stats.Histogram is { } histogram)
                {
                    f.Histogram(r.Backend, model, histogram);
                }
            }
        });

    /// <summary>Every family, in the order of the exposition.</summary>
    public static IReadOnlyList<MetricFamily> All { get; } =
    [
        RequestsTotal, SuccessRate, LatencyMilliseconds, QueueSize, ActiveRequests, ErrorRate, CircuitStateGauge, ThroughputRps,
        ModelRequestsTotal, ModelSuccessRate, ModelLatencyMilliseconds,
        FailuresTotal, TimeoutsTotal, RetriesTotal, RetryAttemptsTotal, ErrorsTotal, TokensTotal, TokenDetailsTotal, TokenThroughputTps,
        ModelTokensTotal, CostUsdTotal, QueueRejectionsTotal, CircuitOpenTotal, CircuitStateTimeSeconds, MonitoringErrorsTotal,
        UptimeSeconds, RateLimitLimit, RateLimitRemaining, RateLimitResetSeconds, RateLimitHeaderErrorsTotal,
        RequestDurationSeconds, TimeToFirstChunkSeconds, ModelRequestDurationSeconds,
    ];

    // Only the kinds and fields the provider sent: a missing series is honest, a 0 would read as exhausted. No
    // iterator: the exposition allocates nothing per series.
    private static void RateLimitSeries(MetricsReport report, ref PrometheusFormatter.Family family, Func<RateLimitMetrics, double?> value)
    {
        var limits = report.RateLimits;
        RateLimitSeries(report.Backend, ref family, "requests"u8, limits.Requests, value);
        RateLimitSeries(report.Backend, ref family, "tokens"u8, limits.Tokens, value);
        RateLimitSeries(report.Backend, ref family, "input_tokens"u8, limits.InputTokens, value);
        RateLimitSeries(report.Backend, ref family, "output_tokens"u8, limits.OutputTokens, value);
    }

    private static void RateLimitSeries(string api, ref PrometheusFormatter.Family family, ReadOnlySpan<byte> kind, RateLimitMetrics? metrics, Func<RateLimitMetrics, double?> value)
    {
        if (metrics is not null && value(metrics) is { } v)
        {
            family.Start(api);
            family.Label("kind"u8, kind);
            family.End(v);
        }
    }

    /// <summary>The number <c>api_circuit_state</c> gives a state, or null for a value the enum does not define.</summary>
    public static int? CircuitStateValue(CircuitState state) => state switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        CircuitState.Open => OpenCircuitValue,
        _ => null,
    };
}
