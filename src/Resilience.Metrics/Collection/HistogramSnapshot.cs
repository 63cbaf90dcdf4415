namespace Resilience.Metrics;

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
