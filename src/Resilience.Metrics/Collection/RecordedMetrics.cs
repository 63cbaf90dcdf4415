namespace Resilience.Metrics;

/// <summary>
/// Everything recorded for one backend since it started or was last reset. A reset swaps in a fresh instance
/// instead of clearing counters under writers' feet; a writer that still holds the old one loses only the event
/// that raced the reset.
/// </summary>
internal sealed class RecordedMetrics
{
    // Counter slots. Requests are successes + failures: one interlocked add fewer per request.
    public const int Successes = 0;
    public const int Failures = 1;
    public const int Timeouts = 2;
    public const int RetriedRequests = 3;
    public const int RetryAttempts = 4;
    public const int PromptTokens = 5;
    public const int CompletionTokens = 6;
    public const int LatencyTicks = 7;
    public const int QueueTimeTicks = 8;
    public const int QueueLengthSum = 9;
    public const int QueueRejections = 10;
    public const int MonitoringErrors = 11;
    public const int FirstByteTicks = 12;
    public const int CachedTokens = 13;
    public const int ReasoningTokens = 14;
    public const int CacheWriteTokens = 15;
    private const int FirstCategory = 16;                               // one slot per ErrorCategory after None
    internal const int CounterCount = FirstCategory + 7;

    public const int MaxErrorTypes = 64;
    public const int MaxModels = 100;

    private long _maxQueueLength;

    public RecordedMetrics(long startTimestamp, BackendRegistration registration, long admissionsBefore = 0)
    {
        StartTimestamp = startTimestamp;
        AdmissionsBefore = admissionsBefore;
        Traces = new TraceRing(registration.MetricsWindowSize);
        Models = new ModelTable(MaxModels, registration.DetailedLatency);
        Windows = new BackendWindows(startTimestamp);
    }

    public long StartTimestamp { get; }

    /// <summary>The backend's admission count when this record began (the counter is never reset).</summary>
    public long AdmissionsBefore { get; }

    public StripedCounters Counters { get; } = new(CounterCount);

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Time to the first body byte of streamed responses.</summary>
    public LatencyHistogram FirstByte { get; } = new();

    public BoundedCounterMap ErrorTypes { get; } = new(MaxErrorTypes);

    public ModelTable Models { get; }

    public ThroughputHistory Throughput { get; } = new();

    public TraceRing Traces { get; }

    /// <summary>The recent time slices: what the last 1, 5 and 15 minutes recorded.</summary>
    public BackendWindows Windows { get; }

    public long MaxQueueLength => Volatile.Read(ref _maxQueueLength);

    public long Requests => Counters.Sum(Successes) + Counters.Sum(Failures);

    /// <summary>The backend's counters now, summed over the stripes.</summary>
    public CounterTotals Totals() => Counters.Totals(TotalsOf);

    /// <summary>A backend's totals from sums in slot order (as the window slices keep them).</summary>
    public static CounterTotals TotalsOf(ReadOnlySpan<long> sums) => CounterSlots.Backend.Totals(sums) with
    {
        Timeouts = sums[Timeouts],
        FirstByteTicks = sums[FirstByteTicks],
        QueueTimeTicks = sums[QueueTimeTicks],
        QueueLengthSum = sums[QueueLengthSum],
        QueueRejections = sums[QueueRejections],
        MonitoringErrors = sums[MonitoringErrors],
        Categories = sums.Slice(FirstCategory, CounterCount - FirstCategory).ToArray(),
    };

    public static int CategorySlot(ErrorCategory category) => FirstCategory + (int)category - 1;

    /// <summary>Counts an error by category and type; an unclassified one (error tracking off) is not counted here.</summary>
    public void RecordError(int stripe, ErrorCategory category, string? errorType)
    {
        if (category == ErrorCategory.None)
        {
            return;
        }

        Counters.Increment(stripe, CategorySlot(category));
        ErrorTypes.Increment(errorType ?? category.ToName());
    }

    public void ObserveQueueLength(long length) => AtomicExtremes.Max(ref _maxQueueLength, length);

    public ThroughputSample Sample(long timestamp) =>
        new(timestamp, Requests, Counters.Sum(PromptTokens), Counters.Sum(CompletionTokens));
}
