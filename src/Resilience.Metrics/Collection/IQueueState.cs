namespace Resilience.Metrics;

/// <summary>
/// A queue's live state. The collector reads it when a report or an OpenTelemetry collection asks (see
/// <see cref="IMetricsCollector.ObserveQueue"/>), so no request has to send an event to keep these two gauges.
/// </summary>
public interface IQueueState
{
    /// <summary>Requests waiting for a slot now.</summary>
    int CurrentQueueSize { get; }

    /// <summary>Requests holding a slot now.</summary>
    int ActiveRequests { get; }
}
