namespace Resilience.Metrics;

/// <summary>Names of <see cref="CircuitState"/> values as the reports print them.</summary>
internal static class CircuitStateNames
{
    /// <summary><c>CLOSED</c>, <c>HALF-OPEN</c> or <c>OPEN</c>.</summary>
    public static string ToName(this CircuitState state) => state switch
    {
        CircuitState.Open => "OPEN",
        CircuitState.HalfOpen => "HALF-OPEN",
        _ => "CLOSED",
    };
}
