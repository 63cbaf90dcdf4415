namespace Resilience.Metrics;

/// <summary>What happened in a backend's queue.</summary>
/// <remarks>The values of the kinds that remain keep the numbers they had when there were also <c>Dequeued</c> (1) and <c>Finished</c> (4).</remarks>
internal enum QueueEventKind
{
    /// <summary>A request started waiting.</summary>
    Enqueued = 0,

    /// <summary>A request was rejected because the queue was full.</summary>
    Rejected = 2,

    /// <summary>A request that announced itself to the queue was admitted: after waiting, or at once when a slot had just freed up.</summary>
    Started = 3,
}
