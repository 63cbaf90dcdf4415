namespace Resilience.Metrics;

/// <summary>
/// A registered backend, as <see cref="IMetricsCollector.RegisterBackend"/> returns it. Strategies take it once,
/// when their pipeline is built, and put it in every event, so the hot path never looks a backend up by name.
/// </summary>
/// <param name="Id">The collector's index of the backend.</param>
/// <param name="Name">The backend's name (the <c>api</c> label in reports).</param>
public readonly record struct BackendKey(int Id, string Name);
