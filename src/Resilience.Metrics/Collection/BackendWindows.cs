namespace Resilience.Metrics;

/// <summary>
/// The sliding windows of one backend's record: a <see cref="SliceRing"/> over the backend's counters and latency
/// histogram, and one per model (with a histogram only when the model keeps one, <c>DetailedLatency</c>). The
/// collector's timer rotates them every <see cref="SliceRing.SliceLength"/>; reports read them. Both take the lock,
/// which the request path never does.
/// </summary>
internal sealed class BackendWindows(long startTimestamp)
{
    private readonly Lock _lock = new();
    private readonly SliceRing _backend = new(RecordedMetrics.CounterCount, histogram: true, RecordedMetrics.TotalsOf);
    private readonly Dictionary<ModelStats, SliceRing> _models = new(ReferenceEqualityComparer.Instance);
    private readonly long[] _scratch = new long[LatencyHistogram.BucketCount];

    /// <summary>Slices the backend's ring holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _backend.Count;
            }
        }
    }

    /// <summary>Bytes the rings hold now (the backend's and its models'); bounded whatever the traffic.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_lock)
            {
                var bytes = _backend.RetainedBytes + (_scratch.Length * sizeof(long));
                foreach (var ring in _models.Values)
                {
                    bytes += ring.RetainedBytes;
                }

                return bytes;
            }
        }
    }

    public void Rotate(RecordedMetrics recorded, long now)
    {
        lock (_lock)
        {
            _backend.Rotate(recorded.Counters, recorded.Latency, now, _scratch);

            // The model table is capped, so this loop and the dictionary are too.
            foreach (var model in recorded.Models.All)
            {
                ModelRing(model).Rotate(model.Counters, model.Latency, now, _scratch);
            }
        }
    }

    public WindowTotals[] Read(RecordedMetrics recorded, ReadOnlySpan<int> slices, IReadOnlyList<double> percentiles)
    {
        lock (_lock)
        {
            return _backend.Read(recorded.Counters, recorded.Latency, slices, percentiles, startTimestamp, _scratch);
        }
    }

    public WindowTotals[] Read(ModelStats model, ReadOnlySpan<int> slices, IReadOnlyList<double> percentiles)
    {
        lock (_lock)
        {
            return ModelRing(model).Read(model.Counters, model.Latency, slices, percentiles, startTimestamp, _scratch);
        }
    }

    public SliceSample[] History(int windowSlices, IReadOnlyList<double> percentiles)
    {
        lock (_lock)
        {
            return _backend.History(windowSlices, percentiles, _scratch);
        }
    }

    // A model first seen after the last rotation starts from zero: its first slice holds all it recorded.
    private SliceRing ModelRing(ModelStats model)
    {
        if (!_models.TryGetValue(model, out var ring))
        {
            ring = new SliceRing(ModelStats.CounterCount, model.Latency is not null, ModelStats.TotalsOf);
            _models.Add(model, ring);
        }

        return ring;
    }
}
