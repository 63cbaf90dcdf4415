using Polly;

namespace Resilience.Metrics;

/// <summary>Priority queueing: at most <see cref="MaxConcurrentRequests"/> in flight and <see cref="QueueSize"/> waiting.</summary>
public sealed class ApiQueueStrategyOptions : ResilienceStrategyOptions
{
    // Bounds no real deployment reaches, so a typo (an extra zero) fails at start-up rather than as memory later.
    internal const int MaxConcurrentRequestsLimit = 10_000;
    internal const int MaxQueueSizeLimit = 100_000;

    /// <summary>Creates the options with the guide's defaults.</summary>
    public ApiQueueStrategyOptions() => Name = "ApiQueue";

    /// <summary>Whether the backend's requests are queued at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests in flight at most; from 1 to 10,000. Default 5.</summary>
    [Bounds(1, MaxConcurrentRequestsLimit, "must be from 1 to 10,000")]
    public int MaxConcurrentRequests { get; set; } = 5;

    /// <summary>Requests waiting at most; one more is rejected at once. Default 100; 0 rejects whenever all slots are busy; at most 100,000.</summary>
    [Bounds(0, MaxQueueSizeLimit, "must be from 0 to 100,000")]
    public int QueueSize { get; set; } = 100;

    /// <summary>A copy, so a strategy never depends on (or changes) the caller's instance.</summary>
    internal ApiQueueStrategyOptions Copy() => (ApiQueueStrategyOptions)MemberwiseClone();
}
