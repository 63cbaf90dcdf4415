namespace Resilience.Metrics;

/// <summary>Circuit breaker figures.</summary>
public sealed record CircuitBreakerMetrics
{
    /// <summary>The state now; the JSON report writes <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
    public required CircuitState CurrentState { get; init; }

    /// <summary><see cref="CurrentState"/> as every output prints it: <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string CurrentStateName => CurrentState.ToName();

    /// <summary>Consecutive failed attempts the breaker has seen since its last success.</summary>
    public long FailureCount { get; init; }

    /// <summary>The configured failure threshold.</summary>
    public int FailureThreshold { get; init; }

    /// <summary>How many times the circuit opened.</summary>
    public long OpenCircuitCount { get; init; }

    /// <summary>Seconds spent in each state (<c>CLOSED</c>, <c>OPEN</c>, <c>HALF-OPEN</c>).</summary>
    public required IReadOnlyDictionary<string, double> StateTimeSeconds { get; init; }

    /// <summary>Share of the time spent <c>CLOSED</c>, in percent.</summary>
    public double UptimePercentage { get; init; }

    /// <summary>The most recent state changes, oldest first.</summary>
    public required IReadOnlyList<CircuitStateChange> StateChanges { get; init; }
}
