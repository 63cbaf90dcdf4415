namespace Resilience.Metrics;

/// <summary>A circuit's figures at one moment; <see cref="SecondsInState"/> is indexed by <see cref="CircuitState"/>.</summary>
internal sealed record CircuitSnapshot(
    CircuitState State,
    long ConsecutiveFailures,
    long OpenCount,
    double[] SecondsInState,
    (CircuitState State, DateTimeOffset At)[] Changes);
