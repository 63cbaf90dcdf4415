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
    public const int CacheWriteTokens = 10;
    internal const int CounterCount = 11;

    public string Name { get; } = name;

    public StripedCounters Counters { get; } = new(CounterCount);

    public long Requests => Counters.Sum(Successes) + Counters.Sum(Failures);

    /// <summary>The model's counters now, summed over the stripes.</summary>
    public CounterTotals Totals() => Counters.Totals(TotalsOf);

    /// <summary>A model's totals from sums in slot order (as the window slices keep them).</summary>
    public static CounterTotals TotalsOf(ReadOnlySpan<long> sums) => CounterSlots.Model.Totals(sums);

    /// <summary>Per-model latency distribution, kept only with detailed latency on.</summary>
    public LatencyHistogram? Latency { get; } = detailedLatency ? new LatencyHistogram() : null;

    /// <summary>The models the responses to this model's requests named (dated snapshots), the first few.</summary>
    public NameSet ResponseModels { get; } = new(MaxResponseModels);

    /// <summary>The model's match in the backend's price table, cached by the reporter (never touched per request).</summary>
    public PriceMatch? Price { get; set; }

    /// <summary>How many distinct response models a model keeps: a model answers as one or two snapshots at a time.</summary>
    public const int MaxResponseModels = 8;
}
