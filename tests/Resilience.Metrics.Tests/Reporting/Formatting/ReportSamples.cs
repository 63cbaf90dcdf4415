namespace Resilience.Metrics.Tests.Reporting;

/// <summary>Hand-built reports shaped like what the collector produces for an LLM backend.</summary>
internal static class ReportSamples
{
    /// <summary>1 000 requests, two models, one circuit opening; numbers avoid rounding ties on purpose.</summary>
    public static MetricsReport Create(string apiName = "openai", IReadOnlyDictionary<string, ModelMetrics>? models = null) => new()
    {
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), // 2023-11-14 22:13:20.25 UTC
        Backend = apiName,
        UptimeSeconds = 3600.456,
        TotalRequests = 1000,
        Successes = 950,
        Failures = 50,
        Timeouts = 5,
        Retries = 30,
        RetryAttempts = 42,
        SuccessRate = 0.95,
        TokenCounts = new TokenCounts(120_000, 45_000),
        Latency = new LatencyMetrics
        {
            AvgLatency = 812.3456,
            MinLatency = 102.5,
            MaxLatency = 4210.75,
            Percentiles = new Dictionary<string, double>
            {
                ["50"] = 640.1234,
                ["90"] = 1500,
                ["95"] = 1900.5,
                ["99"] = 3800.999,
            },
            Count = 1000,
        },
        Queue = new QueueMetrics
        {
            CurrentQueueSize = 3,
            ActiveRequests = 5,
            AvgQueueTimeMs = 12.5,
            AvgQueueLength = 1.75,
            MaxQueueLength = 9,
            QueueRejectionCount = 2,
        },
        CircuitBreaker = new CircuitBreakerMetrics
        {
            CurrentState = CircuitState.Closed,
            FailureCount = 1,
            FailureThreshold = 5,
            OpenCircuitCount = 1,
            StateTimeSeconds = new Dictionary<string, double>
            {
                ["CLOSED"] = 3500.456,
                ["OPEN"] = 60,
                ["HALF-OPEN"] = 40,
            },
            UptimePercentage = 97.2222,
            StateChanges =
            [
                new CircuitStateChange(CircuitState.Open, DateTimeOffset.FromUnixTimeSeconds(1_699_998_000)),
                new CircuitStateChange(CircuitState.HalfOpen, DateTimeOffset.FromUnixTimeSeconds(1_699_998_060)),
                new CircuitStateChange(CircuitState.Closed, DateTimeOffset.FromUnixTimeSeconds(1_699_998_100)),
            ],
        },
        Errors = new ErrorMetrics
        {
            ErrorRate = 0.05,
            TotalErrors = 50,
            ErrorTypes = new Dictionary<string, long>
            {
                ["429"] = 30,
                ["HttpRequestException"] = 15,
                ["TimeoutRejectedException"] = 5,
            },
            ErrorCategories = new Dictionary<string, long>
            {
                ["rate_limiting"] = 30,
                ["authentication"] = 0,
                ["invalid_request"] = 0,
                ["service_unavailable"] = 0,
                ["timeout"] = 5,
                ["network"] = 15,
                ["unexpected"] = 0,
            },
            MostCommonError = "429",
        },
        Throughput = new ThroughputMetrics
        {
            RequestsPerSecond = 4.2166,
            TotalRequestsInWindow = 253,
            TimeWindowSeconds = 60,
            TokenThroughput = new TokenThroughput(700.25, 520.125, 180.125),
        },
        Models = models ?? new Dictionary<string, ModelMetrics>
        {
            ["gpt-4o"] = Model(requests: 600, successes: 580, avgLatency: 905.4321, prompt: 80_000, completion: 30_000),
            ["gpt-4o-mini"] = Model(requests: 400, successes: 370, avgLatency: 673.2109, prompt: 40_000, completion: 15_000),
        },
        MonitoringErrors = 0,
    };

    /// <summary>The sample with every rate-limit kind, observed off the millisecond (rate limits keep the tick).</summary>
    public static MetricsReport WithRateLimits() => Create() with
    {
        RateLimits = new RateLimitsReport
        {
            Requests = new RateLimitMetrics { Limit = 10000, Remaining = 9000, ResetSeconds = 6.5, ObservedAt = DateTimeOffset.UnixEpoch.AddTicks(16_999_999_991_234_567) },
            Tokens = new RateLimitMetrics { Limit = 2000000, Remaining = 150000, ObservedAt = DateTimeOffset.FromUnixTimeSeconds(1_699_999_998) },
            InputTokens = new RateLimitMetrics { Remaining = 5, ObservedAt = DateTimeOffset.UnixEpoch.AddTicks(16_999_999_970_000_001) },
            OutputTokens = new RateLimitMetrics { Limit = 80000, ObservedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_699_999_996_999) },
            RetryAfterSeconds = 7,
            MalformedHeaders = 2,
        },
    };

    public static ModelMetrics Model(long requests, long successes, double avgLatency, long prompt = 0, long completion = 0) => new()
    {
        Requests = requests,
        Successes = successes,
        Failures = requests - successes,
        SuccessRate = requests == 0 ? 0 : (double)successes / requests,
        AvgLatency = avgLatency,
        Retries = 3,
        TokenCounts = new TokenCounts(prompt, completion),
        Percentiles = new Dictionary<string, double> { ["50"] = avgLatency * 0.8, ["99"] = avgLatency * 3 },
    };

    /// <summary>A report where every double the records hold is NaN or infinite (times are DateTimeOffset: never NaN).</summary>
    public static MetricsReport NonFinite(string apiName = "broken")
    {
        var report = Create(apiName, new Dictionary<string, ModelMetrics>
        {
            ["m"] = Model(1, 1, double.NaN) with { SuccessRate = double.PositiveInfinity, Percentiles = new Dictionary<string, double> { ["50"] = double.NaN } },
        });
        return report with
        {
            UptimeSeconds = double.NaN,
            SuccessRate = double.NaN,
            Latency = new LatencyMetrics
            {
                AvgLatency = double.NaN,
                MinLatency = double.NegativeInfinity,
                MaxLatency = double.PositiveInfinity,
                Percentiles = new Dictionary<string, double> { ["50"] = double.NaN, ["95"] = double.PositiveInfinity, ["99"] = double.NegativeInfinity },
            },
            Queue = report.Queue with { AvgQueueTimeMs = double.NaN, AvgQueueLength = double.PositiveInfinity },
            CircuitBreaker = report.CircuitBreaker with
            {
                UptimePercentage = double.NaN,
                StateTimeSeconds = new Dictionary<string, double> { ["CLOSED"] = double.NaN, ["OPEN"] = double.NegativeInfinity, ["HALF-OPEN"] = 0 },
            },
            Errors = report.Errors with { ErrorRate = double.NaN },
            Throughput = new ThroughputMetrics
            {
                RequestsPerSecond = double.NaN,
                TimeWindowSeconds = double.PositiveInfinity,
                TokenThroughput = new TokenThroughput(double.NaN, double.PositiveInfinity, double.NegativeInfinity),
            },
        };
    }
}
