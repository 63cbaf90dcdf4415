namespace Resilience.Metrics;

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
