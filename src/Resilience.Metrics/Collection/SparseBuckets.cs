namespace Resilience.Metrics;

/// <summary>The non-zero buckets of one slice's histogram; its arrays are reused when the slot is reused.</summary>
internal sealed class SparseBuckets
{
    private int[] _indexes = new int[16];
    private long[] _counts = new long[16];
    private int _length;

    public long RetainedBytes => (_indexes.Length * sizeof(int)) + (_counts.Length * sizeof(long));

    public void Clear() => _length = 0;

    public void Add(int index, long count)
    {
        if (_length == _indexes.Length)
        {
            // At most BucketCount entries: a slice touches each bucket once.
            var size = Math.Min(_indexes.Length * 2, LatencyHistogram.BucketCount);
            Array.Resize(ref _indexes, size);
            Array.Resize(ref _counts, size);
        }

        _indexes[_length] = index;
        _counts[_length] = count;
        _length++;
    }

    /// <summary>Takes the buckets out of a dense array; returns how many latencies they held.</summary>
    public long SubtractFrom(long[] dense)
    {
        long total = 0;
        for (var i = 0; i < _length; i++)
        {
            dense[_indexes[i]] -= _counts[i];
            total += _counts[i];
        }

        return total;
    }

    /// <summary>Adds the buckets into a dense array; returns how many latencies they hold.</summary>
    public long AddTo(long[] dense)
    {
        long total = 0;
        for (var i = 0; i < _length; i++)
        {
            dense[_indexes[i]] += _counts[i];
            total += _counts[i];
        }

        return total;
    }
}
