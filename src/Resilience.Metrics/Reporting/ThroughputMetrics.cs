namespace Resilience.Metrics;

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
