using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Resilience.Metrics;

/// <summary>
/// Counts by name with a cap on distinct names: once full, new names count under <see cref="OverflowKey"/>, so a
/// backend that invents error types (or a caller that invents model names) cannot grow memory without bound.
/// </summary>
internal sealed class BoundedCounterMap(int capacity)
{
    public const string OverflowKey = "other";

    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);
    private int _distinct;

    public void Increment(string key) => Interlocked.Increment(ref GetSlot(key).Value);

    private StrongBox<long> GetSlot(string key)
    {
        if (_counts.TryGetValue(key, out var slot))
        {
            return slot;
        }

        // A name nobody capped: capped here, once per new name.
        var capped = TextLimits.Cap(key);
        if (!ReferenceEquals(capped, key))
        {
            key = capped;
            if (_counts.TryGetValue(key, out slot))
            {
                return slot;
            }
        }

        // ConcurrentDictionary.Count takes every lock; keep our own count of admitted names instead.
        if (Interlocked.Increment(ref _distinct) > capacity)
        {
            Interlocked.Decrement(ref _distinct);
            return _counts.GetOrAdd(OverflowKey, static _ => new StrongBox<long>());
        }

        var added = _counts.GetOrAdd(key, static _ => new StrongBox<long>());
        return added;
    }

    public Dictionary<string, long> Snapshot()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, box) in _counts)
        {
            result[key] = Volatile.Read(ref box.Value);
        }

        return result;
    }
}
