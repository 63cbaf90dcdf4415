namespace Resilience.Metrics;

/// <summary>The kinds of provider rate limit the headers describe, in report order.</summary>
internal enum RateLimitKind
{
    Requests,
    Tokens,
    InputTokens,
    OutputTokens,
}

/// <summary>The latest value of one rate-limit kind: -1 for a field the provider never sent.</summary>
internal readonly record struct RateLimitValue(long Limit, long Remaining, long ResetUtcTicks, long ObservedUtcTicks);

/// <summary>
/// One kind's latest values, written lock-free and without allocation: a version that is odd while a writer writes
/// (a sequence lock). A writer that finds another writing skips its values: the other's are as fresh. A reader retries
/// until it reads one writer's values whole.
/// </summary>
internal sealed class RateLimitSlot
{
    private int _version;
    private long _limit = -1;
    private long _remaining = -1;
    private long _reset = -1;
    private long _observed;

    /// <summary>Stores the fields given (-1 keeps the previous value of a field not sent or malformed).</summary>
    public void Write(long limit, long remaining, long resetUtcTicks, long observedUtcTicks)
    {
        var version = Volatile.Read(ref _version);
        if ((version & 1) != 0 || Interlocked.CompareExchange(ref _version, version + 1, version) != version)
        {
            return;
        }

        if (limit >= 0)
        {
            Volatile.Write(ref _limit, limit);
        }

        if (remaining >= 0)
        {
            Volatile.Write(ref _remaining, remaining);
        }

        if (resetUtcTicks >= 0)
        {
            Volatile.Write(ref _reset, resetUtcTicks);
        }

        Volatile.Write(ref _observed, observedUtcTicks);
        Volatile.Write(ref _version, version + 2);
    }

    /// <summary>The latest values, or false when nothing was ever observed.</summary>
    public bool TryRead(out RateLimitValue value)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                value = new RateLimitValue(Volatile.Read(ref _limit), Volatile.Read(ref _remaining), Volatile.Read(ref _reset), Volatile.Read(ref _observed));
                if (Volatile.Read(ref _version) == before)
                {
                    return value.ObservedUtcTicks != 0;
                }
            }

            spin.SpinOnce();
        }
    }
}

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
