namespace Resilience.Metrics;

/// <summary>
/// Where the counts a backend and a model both keep live in each one's counters, which number their slots apart: the one
/// mapping the collector writes through and <see cref="CounterTotals"/> are read through. A new shared count is one
/// slot here, one line where the collector adds it, and one line in <see cref="Totals"/>.
/// </summary>
internal readonly record struct CounterSlots(
    int Successes, int Failures, int LatencyTicks, int RetriedRequests, int RetryAttempts,
    int PromptTokens, int CompletionTokens, int CachedTokens, int ReasoningTokens, int CacheWriteTokens)
{
    public static readonly CounterSlots Backend = new(
        RecordedMetrics.Successes, RecordedMetrics.Failures, RecordedMetrics.LatencyTicks, RecordedMetrics.RetriedRequests,
        RecordedMetrics.RetryAttempts, RecordedMetrics.PromptTokens, RecordedMetrics.CompletionTokens,
        RecordedMetrics.CachedTokens, RecordedMetrics.ReasoningTokens, RecordedMetrics.CacheWriteTokens);

    public static readonly CounterSlots Model = new(
        ModelStats.Successes, ModelStats.Failures, ModelStats.LatencyTicks, ModelStats.RetriedRequests,
        ModelStats.RetryAttempts, ModelStats.PromptTokens, ModelStats.CompletionTokens,
        ModelStats.CachedTokens, ModelStats.ReasoningTokens, ModelStats.CacheWriteTokens);

    /// <summary>The shared counts of sums in this table's slot order (over the stripes, or a window's slices).</summary>
    public CounterTotals Totals(ReadOnlySpan<long> sums) => new()
    {
        Successes = sums[Successes],
        Failures = Math.Max(0, sums[Failures]),
        RetriedRequests = sums[RetriedRequests],
        RetryAttempts = sums[RetryAttempts],
        PromptTokens = sums[PromptTokens],
        CompletionTokens = sums[CompletionTokens],
        CachedTokens = sums[CachedTokens],
        CacheWriteTokens = sums[CacheWriteTokens],
        ReasoningTokens = sums[ReasoningTokens],
        LatencyTicks = sums[LatencyTicks],
    };
}
