namespace Resilience.Metrics;

/// <summary>
/// The central collector's intake: strategies (or applications) send events in. Every <c>Record</c> method is
/// lock-free and allocation-free, and never throws for a registered backend. The built-in <see cref="MetricsCollector"/>
/// keeps what reports are made of (and also takes the backends' settings and the queues' live state, which are the
/// library's own business); a collector of an application's own registered in DI receives these events beside it
/// (see <c>docs/architecture.md</c>, "A collector of your own").
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
}
