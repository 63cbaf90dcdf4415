namespace Resilience.Metrics;

/// <summary>A circuit breaker changed state.</summary>
/// <param name="Backend">The backend whose circuit changed.</param>
/// <param name="State">The new state.</param>
public readonly record struct CircuitStateChanged(BackendKey Backend, CircuitState State)
{
    /// <summary>
    /// For <see cref="CircuitState.Open"/>: how long the circuit stays open before it admits a trial request, so an idle
    /// circuit is reported half-open once it has elapsed; null when it stays open until closed by hand.
    /// </summary>
    public TimeSpan? BreakDuration { get; init; }
}
