using System.ComponentModel.DataAnnotations;
using Polly;

namespace Resilience.Metrics;

/// <summary>Priority queueing: at most <see cref="MaxConcurrentRequests"/> in flight and <see cref="QueueSize"/> waiting.</summary>
public sealed class ApiQueueStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates the options with the guide's defaults.</summary>
    public ApiQueueStrategyOptions() => Name = "ApiQueue";

    /// <summary>Whether the backend's requests are queued at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests in flight at most. Default 5.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConcurrentRequests { get; set; } = 5;

    /// <summary>Requests waiting at most; one more is rejected at once. Default 100; 0 rejects whenever all slots are busy.</summary>
    [Range(0, int.MaxValue)]
    public int QueueSize { get; set; } = 100;
}
