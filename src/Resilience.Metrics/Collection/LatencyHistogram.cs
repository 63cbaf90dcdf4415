using System.Numerics;

namespace Resilience.Metrics;

/// <summary>
/// A log-linear histogram of durations in ticks (100 ns), HdrHistogram style: values below 128 ticks have a bucket
/// each; above, every power of two is split into 64 equal buckets, so a bucket's midpoint is within 1/128 (0.8 %) of
/// any value in it. A leading-zero count and a shift pick the bucket. Buckets are striped per processor; recording
/// is one interlocked increment; memory is fixed (about 19 KB a stripe) whatever the traffic.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;                        // 64 buckets per power of two
    private const int SubBuckets = 1 << SubBucketBits;
    private const int LinearLimit = SubBuckets * 2;             // 0..127 ticks are exact
    private const int MaxMagnitude = 41;                        // 2^41 ticks ≈ 61 hours; longer clamps to the top bucket
    internal const int BucketCount = (MaxMagnitude - SubBucketBits + 1) * SubBuckets;

    private readonly long[] _buckets;
    private readonly int _stripeMask;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;

    public LatencyHistogram()
    {
        _stripeMask = Stripes.Count - 1;
        _buckets = new long[(Stripes.Count + 1) * BucketCount];
    }

    public void Record(long ticks) => Record(ticks, Thread.GetCurrentProcessorId());

    /// <summary>Records on the stripe of processor <paramref name="processorId"/> (the caller's, read once per event).</summary>
    public void Record(long ticks, int processorId)
    {
        if (ticks < 0)
        {
            ticks = 0;
        }

        var stripe = ((processorId & _stripeMask) + 1) * BucketCount;
        Interlocked.Increment(ref _buckets[stripe + BucketIndex(ticks)]);

        // Min and max change rarely once warm: read first so the common case writes nothing shared.
        AtomicExtremes.Min(ref _min, ticks);
        AtomicExtremes.Max(ref _max, ticks);
    }

    internal static int BucketIndex(long ticks)
    {
        if (ticks < LinearLimit)
        {
            return (int)ticks;
        }

        var magnitude = 63 - BitOperations.LeadingZeroCount((ulong)ticks);     // ≥ 7
        if (magnitude >= MaxMagnitude)
        {
            return BucketCount - 1;
        }

        var shift = magnitude - SubBucketBits;                                  // ≥ 1
        return (shift * SubBuckets) + (int)(ticks >> shift);                    // (ticks >> shift) is in [64, 127]
    }

    /// <summary>The midpoint of a bucket, in ticks.</summary>
    internal static double BucketMidpoint(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var shift = (index / SubBuckets) - 1;
        var lower = (long)((index % SubBuckets) + SubBuckets) << shift;
        return lower + (((1L << shift) - 1) / 2.0);
    }

    /// <summary>Writes the stripes' sums into <paramref name="counts"/> (<see cref="BucketCount"/> long): the sliding windows' reused buffer.</summary>
    public long CopyTotals(long[] counts)
    {
        Array.Clear(counts, 0, BucketCount);
        long total = 0;
        for (var offset = BucketCount; offset < _buckets.Length; offset += BucketCount)
        {
            for (var i = 0; i < BucketCount; i++)
            {
                var count = Volatile.Read(ref _buckets[offset + i]);
                counts[i] += count;
                total += count;
            }
        }

        return total;
    }

    /// <summary>Adds the stripes together: a consistent-enough copy for one report.</summary>
    public HistogramSnapshot Snapshot()
    {
        var counts = new long[BucketCount];
        var total = CopyTotals(counts);
        var min = Volatile.Read(ref _min);
        var max = Volatile.Read(ref _max);
        return total == 0 ? HistogramSnapshot.Empty : new HistogramSnapshot(counts, total, min, max);
    }
}

/// <summary>A histogram's buckets added together at one moment.</summary>
internal sealed class HistogramSnapshot(long[] counts, long total, long minTicks, long maxTicks)
{
    public static HistogramSnapshot Empty { get; } = new([], 0, 0, 0);

    public long Total => total;

    public long MinTicks => minTicks;

    public long MaxTicks => maxTicks;

    /// <summary>
    /// Adds each bucket's count into <paramref name="into"/> at the first of <paramref name="upperBounds"/> (ticks, ascending) at or above the bucket's
    /// midpoint; counts above the last bound are left out (the caller's +Inf is <see cref="Total"/>).
    /// </summary>
    public void AddInto(ReadOnlySpan<double> upperBounds, Span<long> into)
    {
        var bound = 0;
        for (var i = 0; i < counts.Length && bound < upperBounds.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            var midpoint = LatencyHistogram.BucketMidpoint(i);
            while (bound < upperBounds.Length && midpoint > upperBounds[bound])
            {
                bound++;
            }

            if (bound < upperBounds.Length)
            {
                into[bound] += counts[i];
            }
        }
    }

    /// <summary>
    /// The values at several percentiles (any order) in one pass over the buckets, as <see cref="ValueAtPercentile"/>
    /// gives each: a report asks for four, a window report for twelve.
    /// </summary>
    public void ValuesAtPercentiles(IReadOnlyList<double> percentiles, Span<double> into)
    {
        if (total == 0)
        {
            into[..percentiles.Count].Clear();
            return;
        }

        // Ranks in ascending order; few percentiles, so an insertion sort on the stack.
        Span<int> order = percentiles.Count <= 16 ? stackalloc int[percentiles.Count] : new int[percentiles.Count];
        Span<long> ranks = percentiles.Count <= 16 ? stackalloc long[percentiles.Count] : new long[percentiles.Count];
        for (var p = 0; p < order.Length; p++)
        {
            ranks[p] = Math.Min(total, (long)(total * (percentiles[p] / 100.0)) + 1);
            var j = p;
            while (j > 0 && ranks[order[j - 1]] > ranks[p])
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = p;
        }

        long seen = 0;
        var next = 0;
        for (var i = 0; i < counts.Length && next < order.Length; i++)
        {
            seen += counts[i];
            while (next < order.Length && seen >= ranks[order[next]])
            {
                into[order[next++]] = Math.Clamp(LatencyHistogram.BucketMidpoint(i), minTicks, maxTicks);
            }
        }

        while (next < order.Length)
        {
            into[order[next++]] = maxTicks;
        }
    }

    /// <summary>
    /// The value at a percentile, with the guide's rank (the sorted sample at index ⌊n·p/100⌋), as the midpoint of
    /// its bucket clamped to the exact minimum and maximum.
    /// </summary>
    public double ValueAtPercentile(double percentile)
    {
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Min(total, (long)(total * (percentile / 100.0)) + 1);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(LatencyHistogram.BucketMidpoint(i), minTicks, maxTicks);
            }
        }

        return maxTicks;
    }
}
