namespace Resilience.Metrics;

/// <summary>A collector that drops every event: what the strategies report to when <c>MetricsEnabled</c> is false.</summary>
internal sealed class NullMetricsCollector : IMetricsCollector
{
    public static NullMetricsCollector Instance { get; } = new();

    public TimeProvider TimeProvider => TimeProvider.System;

    public BackendKey RegisterBackend(string name) => new(name);

    public void RecordRequest(RequestCompleted request)
    {
    }

    public void RecordRetry(RetryAttempted retry)
    {
    }

    public void RecordCircuitStateChange(CircuitStateChanged change)
    {
    }

    public void RecordCircuitAttempt(BackendKey backend, bool failed)
    {
    }

    public void RecordMonitoringError(BackendKey backend)
    {
    }
}
