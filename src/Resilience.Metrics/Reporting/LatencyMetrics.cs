namespace Resilience.Metrics;

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
