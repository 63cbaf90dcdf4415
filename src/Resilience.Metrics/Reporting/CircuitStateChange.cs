namespace Resilience.Metrics;

/// <summary>A circuit state change as reports show it.</summary>
/// <param name="State">The new state; the JSON report writes <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</param>
/// <param name="Timestamp">When it happened, to the millisecond; the JSON report writes it in Unix seconds.</param>
public sealed record CircuitStateChange(CircuitState State, DateTimeOffset Timestamp)
{
    /// <summary><see cref="State"/> as every output prints it: <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string StateName => State.ToName();
}
