namespace Resilience.Metrics;

/// <summary>
/// Something that happened in a backend's queue. (How many requests wait or run right now, and how many were admitted,
/// is read from the queue itself: see <see cref="MetricsCollector.ObserveQueue"/>.)
/// </summary>
/// <param name="Backend">The backend whose queue changed.</param>
/// <param name="Kind">What happened.</param>
/// <param name="QueueLength">How many requests were waiting when it happened (for <see cref="QueueEventKind.Started"/>: when the request arrived).</param>
/// <param name="WaitTime">For <see cref="QueueEventKind.Started"/>: how long the request waited for admission.</param>
internal readonly record struct QueueEvent(BackendKey Backend, QueueEventKind Kind, int QueueLength = 0, TimeSpan WaitTime = default);
