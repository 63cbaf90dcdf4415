namespace Resilience.Metrics;

/// <summary>A circuit breaker's state as the collector records it.</summary>
public enum CircuitState
{
    /// <summary>Requests flow; printed <c>CLOSED</c>.</summary>
    Closed = 0,

    /// <summary>Trial requests test the backend; printed <c>HALF-OPEN</c>.</summary>
    HalfOpen = 1,

    /// <summary>Requests are rejected; printed <c>OPEN</c>. Also used for a manually isolated circuit.</summary>
    Open = 2,
}
