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
