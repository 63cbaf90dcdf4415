namespace Resilience.Metrics;

/// <summary>
/// Sees every event the collector has counted, on the same thread, right after. The OpenTelemetry instruments are one
/// (<c>ApiMonitoringTelemetry.Publish</c> attaches them); the collector knows nothing else of them. An observer must
/// not throw and must not block: it runs on the request path.
/// </summary>
internal interface IMetricsObserver : IDisposable
{
    /// <summary>A request finished (for an SDK's retry attempt, <see cref="OnClientRetry"/> instead).</summary>
    void OnRequest(in RequestCompleted request, BackendMetrics backend);

    /// <summary>A retry attempt a client made itself, counted as a retry of a logical request already counted.</summary>
    void OnClientRetry(in RequestCompleted request, BackendMetrics backend);

    /// <summary>One of our strategies, or an observed pipeline, is about to retry.</summary>
    void OnRetry(RetryAttempted retry);

    /// <summary>A circuit changed state.</summary>
    void OnCircuitStateChange(CircuitStateChanged change);

    /// <summary>A request waited, was admitted after waiting, or was turned away.</summary>
    void OnQueue(QueueEvent queueEvent);
}
