using System.Collections.Concurrent;

namespace Resilience.Metrics;

/// <summary>
/// The models of one backend, capped: past <c>capacity</c> distinct names, requests count under
/// <see cref="BoundedCounterMap.OverflowKey"/>. The last model seen is cached, so a pipeline that keeps sending the same
/// model skips the dictionary, and the shared cache is written only when the model changes.
/// </summary>
internal sealed class ModelTable(int capacity, bool detailedLatency)
{
    private readonly ConcurrentDictionary<string, ModelStats> _models = new(StringComparer.Ordinal);
    private ModelStats? _last;
    private int _distinct;

    public ModelStats Get(string model)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && (ReferenceEquals(last.Name, model) || string.Equals(last.Name, model, StringComparison.Ordinal)))
        {
            return last;
        }

        var stats = Lookup(model);
        if (!ReferenceEquals(stats, last))
        {
            Volatile.Write(ref _last, stats);
        }

        return stats;
    }

    private ModelStats Lookup(string model)
    {
        if (_models.TryGetValue(model, out var stats))
        {
            return stats;
        }

        // A name no strategy capped (an event made by hand): capped here, once per new name.
        var capped = TextLimits.Cap(model);
        if (!ReferenceEquals(capped, model))
        {
            model = capped;
            if (_models.TryGetValue(model, out stats))
            {
                return stats;
            }
        }

        // Once full, a new name goes to the overflow entry without touching the shared count.
        if (Volatile.Read(ref _distinct) >= capacity)
        {
            model = BoundedCounterMap.OverflowKey;
        }
        else if (Interlocked.Increment(ref _distinct) > capacity)
        {
            Interlocked.Decrement(ref _distinct);
            model = BoundedCounterMap.OverflowKey;
        }

        return _models.GetOrAdd(model, static (name, detailed) => new ModelStats(name, detailed), detailedLatency);
    }

    public bool TryGet(string model, out ModelStats? stats) => _models.TryGetValue(model, out stats);

    public IEnumerable<ModelStats> All => _models.Values;
}
