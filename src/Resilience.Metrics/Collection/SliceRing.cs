namespace Resilience.Metrics;

/// <summary>
/// Recent time slices of one set of cumulative counters (and optionally a latency histogram): at each slice boundary
/// the collector's timer stores what changed since the previous boundary. Nothing happens on the request path: the
/// writers keep adding to the cumulative counters, and a window is "the newest slices plus what changed since the
/// last boundary". Memory is fixed per ring (counters) or bounded (a slice's histogram keeps only its non-zero
/// buckets, at most <see cref="LatencyHistogram.BucketCount"/>). Not thread-safe: <see cref="BackendWindows"/> locks.
/// </summary>
internal sealed class SliceRing
{
    /// <summary>How long a slice lasts; windows are aligned to it.</summary>
    public static readonly TimeSpan SliceLength = TimeSpan.FromSeconds(5);

    /// <summary>Slices kept: 15 minutes.</summary>
    public const int SliceCount = 180;

    private readonly int _counterCount;
    private readonly long[] _deltas;
    private readonly long[] _baseline;
    private readonly long[] _ends = new long[SliceCount];
    private readonly long[]? _histogramBaseline;
    private readonly SparseBuckets?[]? _histograms;
    private readonly CounterTotalsReader _totals;
    private int _count;
    private int _next;

    public SliceRing(int counterCount, bool histogram, CounterTotalsReader totals)
    {
        _counterCount = counterCount;
        _totals = totals;
        _deltas = new long[SliceCount * counterCount];
        _baseline = new long[counterCount];
        if (histogram)
        {
            _histogramBaseline = new long[LatencyHistogram.BucketCount];
            _histograms = new SparseBuckets?[SliceCount];
        }
    }

    /// <summary>Slices kept so far (at most <see cref="SliceCount"/>).</summary>
    public int Count => _count;

    /// <summary>Bytes the ring holds now: its fixed arrays and its slices' bucket lists.</summary>
    public long RetainedBytes
    {
        get
        {
            long bytes = (_deltas.Length + _baseline.Length + _ends.Length + (_histogramBaseline?.Length ?? 0)) * sizeof(long);
            if (_histograms is not null)
            {
                bytes += _histograms.Length * IntPtr.Size;
                foreach (var slice in _histograms)
                {
                    bytes += slice?.RetainedBytes ?? 0;
                }
            }

            return bytes;
        }
    }

    /// <summary>
    /// Closes the current slice at <paramref name="now"/>: stores what changed since the last boundary. The scratch
    /// buffer (<see cref="LatencyHistogram.BucketCount"/> longs) is reused.
    /// </summary>
    public void Rotate(StripedCounters counters, LatencyHistogram? histogram, long now, long[] scratch)
    {
        var row = _next * _counterCount;
        for (var i = 0; i < _counterCount; i++)
        {
            var current = counters.Sum(i);
            _deltas[row + i] = current - _baseline[i];
            _baseline[i] = current;
        }

        if (_histograms is not null && histogram is not null)
        {
            histogram.CopyTotals(scratch);
            var slice = _histograms[_next] ??= new SparseBuckets();
            slice.Clear();
            var baseline = _histogramBaseline!;
            for (var i = 0; i < scratch.Length; i++)
            {
                var delta = scratch[i] - baseline[i];
                if (delta != 0)
                {
                    slice.Add(i, delta);
                    baseline[i] = scratch[i];
                }
            }
        }

        _ends[_next] = now;
        _next = (_next + 1) % SliceCount;
        _count = Math.Min(_count + 1, SliceCount);
    }

    /// <summary>
    /// The windows of the newest <paramref name="slices"/>[k] − 1 complete slices plus the current partial one, for
    /// each k (ascending). A window starts at the end of the slice before its oldest, or at <paramref name="start"/>
    /// when the ring holds no slice that old. The scratch buffer (<see cref="LatencyHistogram.BucketCount"/> longs) is reused.
    /// </summary>
    public WindowTotals[] Read(
        StripedCounters counters,
        LatencyHistogram? histogram,
        ReadOnlySpan<int> slices,
        IReadOnlyList<double> percentiles,
        long start,
        long[] scratch)
    {
        var sums = new long[_counterCount];
        for (var i = 0; i < _counterCount; i++)
        {
            sums[i] = counters.Sum(i) - _baseline[i];
        }

        var withHistogram = _histograms is not null && histogram is not null;
        long histogramTotal = 0;
        if (withHistogram)
        {
            histogram!.CopyTotals(scratch);
            var baseline = _histogramBaseline!;
            for (var i = 0; i < scratch.Length; i++)
            {
                scratch[i] = Math.Max(0, scratch[i] - baseline[i]);
                histogramTotal += scratch[i];
            }
        }

        var results = new WindowTotals[slices.Length];
        var added = 0;
        for (var w = 0; w < slices.Length; w++)
        {
            var wanted = Math.Min(slices[w] - 1, _count);
            for (; added < wanted; added++)
            {
                var slot = Slot(added);
                var row = slot * _counterCount;
                for (var i = 0; i < _counterCount; i++)
                {
                    sums[i] += _deltas[row + i];
                }

                if (withHistogram && _histograms![slot] is { } slice)
                {
                    histogramTotal += slice.AddTo(scratch);
                }
            }

            var windowStart = _count > added ? _ends[Slot(added)] : start;
            double[]? values = null;
            if (withHistogram)
            {
                values = new double[percentiles.Count];
                new HistogramSnapshot(scratch, histogramTotal, 0, long.MaxValue).ValuesAtPercentiles(percentiles, values);
            }

            results[w] = new WindowTotals(windowStart, _totals(sums), histogramTotal, values);
        }

        return results;
    }

    /// <summary>
    /// Every kept slice, oldest first: when it ended, the cumulative counters then (since the record's start, like a
    /// report's), and the percentiles (ticks) of the window of <paramref name="windowSlices"/> slices ending there.
    /// The scratch buffer (<see cref="LatencyHistogram.BucketCount"/> longs) is reused.
    /// </summary>
    public SliceSample[] History(int windowSlices, IReadOnlyList<double> percentiles, long[] scratch)
    {
        // Cumulative at the end of the newest slice is the baseline; older ends subtract the newer slices' deltas.
        var samples = new SliceSample[_count];
        var cumulative = (long[])_baseline.Clone();
        for (var n = 0; n < _count; n++)
        {
            var slot = Slot(n);
            samples[_count - 1 - n] = new SliceSample(_ends[slot], _totals(cumulative), null);
            var row = slot * _counterCount;
            for (var i = 0; i < _counterCount; i++)
            {
                cumulative[i] -= _deltas[row + i];
            }
        }

        if (_histograms is null)
        {
            return samples;
        }

        // A rolling window over the slices, oldest first: add the slice that enters, take out the one that leaves.
        Array.Clear(scratch);
        long total = 0;
        for (var k = 0; k < _count; k++)
        {
            if (_histograms[Slot(_count - 1 - k)] is { } entering)
            {
                total += entering.AddTo(scratch);
            }

            if (k >= windowSlices && _histograms[Slot(_count - 1 - (k - windowSlices))] is { } leaving)
            {
                total -= leaving.SubtractFrom(scratch);
            }

            var values = new double[percentiles.Count];
            new HistogramSnapshot(scratch, total, 0, long.MaxValue).ValuesAtPercentiles(percentiles, values);

            samples[k] = samples[k] with { PercentileTicks = values };
        }

        return samples;
    }

    // The slot of the newest-but-n slice.
    private int Slot(int newestBut) => (_next - 1 - newestBut + (2 * SliceCount)) % SliceCount;
}
