namespace Resilience.Metrics;

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
