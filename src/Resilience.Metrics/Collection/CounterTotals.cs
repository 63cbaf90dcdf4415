namespace Resilience.Metrics;

/// <summary>
/// A backend's or a model's counters, summed (over the stripes, or over a window's slices), by name: what reports and
/// gauges read, so that where each counter lives stays the collector's business.
/// </summary>
internal readonly struct CounterTotals
{
    private readonly long[]? _categories;

    public long Successes { get; init; }

    /// <summary>Never negative: an SDK's retry that succeeded turns a failure into a success, perhaps one counted before a reset or a window.</summary>
    public long Failures { get; init; }

    public long Requests => Successes + Failures;

    public long Timeouts { get; init; }

    public long RetriedRequests { get; init; }

    public long RetryAttempts { get; init; }

    public long PromptTokens { get; init; }

    public long CompletionTokens { get; init; }

    public long Tokens => PromptTokens + CompletionTokens;

    public long CachedTokens { get; init; }

    /// <summary>Prompt tokens written to the provider's prompt cache: a part of <see cref="PromptTokens"/>, apart from <see cref="CachedTokens"/>.</summary>
    public long CacheWriteTokens { get; init; }

    public long ReasoningTokens { get; init; }

    public long LatencyTicks { get; init; }

    public long FirstByteTicks { get; init; }

    public long QueueTimeTicks { get; init; }

    public long QueueLengthSum { get; init; }

    public long QueueRejections { get; init; }

    public long MonitoringErrors { get; init; }

    /// <summary>Errors by category, in <see cref="ErrorCategoryNames.All"/>'s order (a backend's; a model keeps none).</summary>
    public IReadOnlyList<long> Categories
    {
        get => _categories ?? [];
        init => _categories = value switch
        {
            long[] { Length: CategoryCount } counts => counts,   // made for this total by the collector: kept, not copied
            { Count: CategoryCount } => [.. value],
            _ => throw new ArgumentException($"{CategoryCount} categories expected.", nameof(value)),
        };
    }

    private const int CategoryCount = 7;

    /// <summary>The errors of one category (0 for a model's totals).</summary>
    public long Category(ErrorCategory category) =>
        _categories is { } counts && category != ErrorCategory.None ? counts[(int)category - 1] : 0;
}
