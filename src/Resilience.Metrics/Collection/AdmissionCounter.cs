namespace Resilience.Metrics;

/// <summary>
/// A backend's count of the requests its queues admitted, at once or after waiting. The collector owns it and hands
/// it to each queue it observes (<see cref="MetricsCollector.ObserveQueue"/>), so the count outlives any one queue:
/// a pipeline built again (options reloaded) goes on counting where the old one stopped.
/// </summary>
internal sealed class AdmissionCounter
{
    private long _count;

    /// <summary>Requests admitted since the counter was created.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Counts one admitted request.</summary>
    public void Increment() => Interlocked.Increment(ref _count);
}
