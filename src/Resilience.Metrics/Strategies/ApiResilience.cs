namespace Resilience.Metrics;

/// <summary>Which resilience <c>AddApiMonitoring</c> adds beside the monitoring itself.</summary>
public enum ApiResilience
{
    /// <summary>
    /// Request monitoring plus the priority queue, retry, circuit breaker and attempt timeout, each as configured
    /// (each can still be turned off on its own: <c>Queue.Enabled</c>, <c>Retry.Enabled</c>, <c>CircuitBreaker.Enabled</c>).
    /// </summary>
    Full = 0,

    /// <summary>
    /// Monitor only: counts, latency, models, tokens, traces and OpenTelemetry, and no queue, retry, breaker or
    /// timeout of ours. For a client whose resilience comes from elsewhere (<c>AddStandardResilienceHandler()</c>, an
    /// SDK's own retries): that client's retries and circuit transitions are read from its own pipeline.
    /// </summary>
    None = 1,
}
