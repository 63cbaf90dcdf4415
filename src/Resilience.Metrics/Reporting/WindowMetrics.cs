namespace Resilience.Metrics;

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
