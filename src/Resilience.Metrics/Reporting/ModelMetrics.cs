namespace Resilience.Metrics;

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
