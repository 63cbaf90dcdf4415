namespace Resilience.Metrics;

/// <summary>
/// The central collector: strategies (or applications) send events in; reports read snapshots out.
/// Every <c>Record</c> method is lock-free and allocation-free, and never throws for a registered backend.
/// </summary>
public interface IMetricsCollector
{
    /// <summary>The clock every figure is measured with.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Registers a backend (or returns the existing one of that name) and returns the key its events carry.
    /// Call once, when a pipeline is built; a later registration of the same name updates its settings (one without
    /// settings, <paramref name="registration"/> null, leaves them as they are).
    /// </summary>
    BackendKey RegisterBackend(string name, BackendRegistration? registration = null);

    /// <summary>Records a finished request.</summary>
    void RecordRequest(RequestCompleted request);

    /// <summary>Records a retry (and the failed attempt's error).</summary>
    void RecordRetry(RetryAttempted retry);

    /// <summary>Records a circuit breaker state change, timed by <see cref="TimeProvider"/>.</summary>
    void RecordCircuitStateChange(CircuitStateChanged change);

    /// <summary>Records an attempt's outcome as the circuit breaker counts it (for <c>failure_count</c>).</summary>
    void RecordCircuitAttempt(BackendKey backend, bool failed);

    /// <summary>Records a queue change: a request waiting, admitted or rejected.</summary>
    void RecordQueue(QueueEvent queueEvent);

    /// <summary>
    /// Makes a queue's live state (requests waiting, requests in flight) part of the backend's figures, read when asked,
    /// and returns the backend's admission counter, which the queue increments once for every request it admits. Call
    /// once, when the queue is built. The collector holds the queue weakly: a queue nothing else uses any more drops out.
    /// (A collector that does not report queues can keep this default: a counter nobody reads.)
    /// </summary>
    AdmissionCounter ObserveQueue(BackendKey backend, IQueueState queue) => new();

    /// <summary>Records tokens learned after the request completed.</summary>
    void RecordTokens(TokensReported tokens);

    /// <summary>Records the time from a request's start to the first byte of its body the caller read (streamed bodies).</summary>
    void RecordFirstByte(BackendKey backend, TimeSpan elapsed);

    /// <summary>Counts a fault inside monitoring itself (the request it happened in went on unharmed).</summary>
    void RecordMonitoringError(BackendKey backend);
}
