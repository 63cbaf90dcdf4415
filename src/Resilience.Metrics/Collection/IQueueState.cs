namespace Resilience.Metrics;

/// <summary>
/// A queue's live counts. The collector reads them when a report or an OpenTelemetry collection asks (see
/// <see cref="MetricsCollector.ObserveQueue"/>), so a request admitted at once sends no event at all.
/// </summary>
internal interface IQueueState
{
    /// <summary>Requests waiting for a slot now.</summary>
    int CurrentQueueSize { get; }

    /// <summary>Requests holding a slot now.</summary>
    int ActiveRequests { get; }

}
