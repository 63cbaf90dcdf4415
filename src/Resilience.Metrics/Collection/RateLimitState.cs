namespace Resilience.Metrics;

/// <summary>
/// A backend's provider rate limits as its responses' headers last told them: one slot per kind, the last
/// <c>retry-after</c>, and a count of headers that were malformed. Per backend, not per model (see
/// <c>docs/architecture.md</c>); live state that a reset does not clear, like the circuit's.
/// </summary>
internal sealed class RateLimitState
{
    public const int KindCount = 4;

    private readonly RateLimitSlot[] _slots = [new(), new(), new(), new()];
    private long _retryUntilUtcTicks = -1;
    private long _malformed;

    public RateLimitSlot this[RateLimitKind kind] => _slots[(int)kind];

    /// <summary>Headers that were malformed, negative or absurd, and were ignored, since the backend was registered.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>When the last <c>retry-after</c> said to try again, in UTC ticks; -1 when none came.</summary>
    public long RetryUntilUtcTicks => Volatile.Read(ref _retryUntilUtcTicks);

    public void AddMalformed(int count) => Interlocked.Add(ref _malformed, count);

    public void SetRetryUntil(long utcTicks) => Volatile.Write(ref _retryUntilUtcTicks, utcTicks);
}
