using System.Collections.Concurrent;

namespace Resilience.Metrics;

/// <summary>
/// Caps the distinct values of an OpenTelemetry tag that carries a name from the wire (the model): past
/// <c>capacity</c> names, new ones are tagged <see cref="BoundedCounterMap.OverflowKey"/>, as in the reports. Kept for
/// the backend's lifetime, not reset with the reports: an exporter keeps every series it has seen, so a cap that
/// restarted would not bound it. The last name is cached (one slot for request models, one for the dated models
/// responses name), so a backend that keeps sending one model skips the dictionary.
/// </summary>
internal sealed class TagNameLimiter(int capacity)
{
    private readonly ConcurrentDictionary<string, string> _admitted = new(StringComparer.Ordinal);
    private string? _last;
    private string? _lastResponse;
    private int _distinct;

    /// <summary>The tag value for <paramref name="name"/>: the (capped) name, or <c>other</c> once the cap is reached.</summary>
    public string Limit(string name) => Limit(name, ref _last);

    /// <summary>As <see cref="Limit(string)"/>, for a model a response named (cached apart from the request's model).</summary>
    public string LimitResponse(string name) => Limit(name, ref _lastResponse);

    private string Limit(string name, ref string? lastSlot)
    {
        var last = Volatile.Read(ref lastSlot);
        if (last is not null && (ReferenceEquals(last, name) || string.Equals(last, name, StringComparison.Ordinal)))
        {
            return last;
        }

        var limited = Lookup(name);
        if (!ReferenceEquals(limited, last))
        {
            Volatile.Write(ref lastSlot, limited);
        }

        return limited;
    }

    private string Lookup(string name)
    {
        name = TextLimits.Cap(name);
        if (_admitted.TryGetValue(name, out var admitted))
        {
            return admitted;
        }

        if (Volatile.Read(ref _distinct) >= capacity)
        {
            return BoundedCounterMap.OverflowKey;
        }

        if (Interlocked.Increment(ref _distinct) > capacity)
        {
            Interlocked.Decrement(ref _distinct);
            return BoundedCounterMap.OverflowKey;
        }

        return _admitted.GetOrAdd(name, name);
    }
}
