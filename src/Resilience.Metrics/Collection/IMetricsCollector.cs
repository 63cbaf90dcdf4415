namespace Resilience.Metrics;

/// <summary>
/// The central collector's intake: strategies (or applications) send events in. Every <c>Record</c> method is
/// lock-free and allocation-free, and never throws for a registered backend. The built-in <see cref="MetricsCollector"/>
/// keeps what reports are made of; a collector of an application's own registered in DI receives every event too,
/// beside it (see <c>docs/architecture.md</c>, "Your own collector").
/// </summary>
public interface IMetricsCollector
{
    /// <summary>The clock every figure is measured with.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Registers a backend (or returns the existing one of that name) and returns the key its events carry. Call once,
    /// when a pipeline is built.
    /// </summary>
    BackendKey RegisterBackend(string name);

    /// <summary>Records a finished request.</summary>
    void RecordRequest(RequestCompleted request);

    /// <summary>Records a retry (and the failed attempt's error).</summary>
    void RecordRetry(RetryAttempted retry);

    /// <summary>Records a circuit breaker state change, timed by <see cref="TimeProvider"/>.</summary>
    void RecordCircuitStateChange(CircuitStateChanged change);

    /// <summary>Records an attempt's outcome as the circuit breaker counts it (for <c>failure_count</c>).</summary>
    void RecordCircuitAttempt(BackendKey backend, bool failed);

    /// <summary>Counts a fault inside monitoring itself (the request it happened in went on unharmed).</summary>
    void RecordMonitoringError(BackendKey backend);

    // The library's own seams with the built-in collector. A collector of an application's own keeps these defaults:
    // it gets the name without the settings, and no queue figures (it gets every request, with its queue time, anyway).

    /// <summary>Registers a backend with the settings the collector keeps and reports it with.</summary>
    internal BackendKey RegisterBackend(string name, BackendRegistration registration) => RegisterBackend(name);

    /// <summary>Records a queue change: a request waiting, admitted after waiting, or rejected.</summary>
    internal void RecordQueue(QueueEvent queueEvent)
    {
    }

    /// <summary>
    /// Makes a queue's live state part of the backend's figures, read when asked, and returns the backend's admission
    /// counter, which the queue increments once for every request it admits. The collector holds the queue weakly.
    /// </summary>
    internal AdmissionCounter ObserveQueue(BackendKey backend, IQueueState queue) => new();
}
