namespace Resilience.Metrics;

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
