using System.Collections.Concurrent;

namespace Resilience.Metrics;

/// <summary>One model's counters, striped like the backend's.</summary>
internal sealed class ModelStats(string name, bool detailedLatency)
{
    // Requests are successes + failures (as for the backend): one interlocked add fewer per request.
    public const int Successes = 1;
    public const int Failures = 2;
    public const int LatencyTicks = 3;
    public const int RetriedRequests = 4;
    public const int PromptTokens = 5;
    public const int CompletionTokens = 6;
    public const int RetryAttempts = 7;
    public const int CachedTokens = 8;
    public const int ReasoningTokens = 9;
    internal const int CounterCount = 10;

    public string Name { get; } = name;

    public StripedCounters Counters { get; } = new(CounterCount);

    public long Requests => Counters.Sum(Successes) + Counters.Sum(Failures);

    /// <summary>The model's counters now, summed over the stripes.</summary>
    public CounterTotals Totals() => Counters.Totals(TotalsOf);

    /// <summary>A model's totals from sums in slot order (as the window slices keep them).</summary>
    public static CounterTotals TotalsOf(ReadOnlySpan<long> sums) => new()
    {
        Successes = sums[Successes],
        Failures = Math.Max(0, sums[Failures]),
        RetriedRequests = sums[RetriedRequests],
        RetryAttempts = sums[RetryAttempts],
        PromptTokens = sums[PromptTokens],
        CompletionTokens = sums[CompletionTokens],
        CachedTokens = sums[CachedTokens],
        ReasoningTokens = sums[ReasoningTokens],
        LatencyTicks = sums[LatencyTicks],
    };

    /// <summary>Per-model latency distribution, kept only with detailed latency on.</summary>
    public LatencyHistogram? Latency { get; } = detailedLatency ? new LatencyHistogram() : null;

    /// <summary>The models the responses to this model's requests named (dated snapshots), the first few.</summary>
    public NameSet ResponseModels { get; } = new(MaxResponseModels);

    /// <summary>The model's match in the backend's price table, cached by the reporter (never touched per request).</summary>
    public PriceMatch? Price { get; set; }

    /// <summary>How many distinct response models a model keeps: a model answers as one or two snapshots at a time.</summary>
    public const int MaxResponseModels = 8;
}

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
