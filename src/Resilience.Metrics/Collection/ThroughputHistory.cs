namespace Resilience.Metrics;

/// <summary>
/// Cumulative totals sampled once a second into a ring (15 minutes), so throughput over any window up to that is
/// "totals now minus totals then" — nothing on the request path, no list of timestamps. Only the collector's
/// sampler writes; reports read.
/// </summary>
internal sealed class ThroughputHistory
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromMinutes(15);

    private readonly Lock _lock = new();
    private readonly ThroughputSample[] _samples = new ThroughputSample[(int)MaxWindow.TotalSeconds + 2];
    private int _count;
    private int _next;

    public void Add(ThroughputSample sample)
    {
        lock (_lock)
        {
            _samples[_next] = sample;
            _next = (_next + 1) % _samples.Length;
            _count = Math.Min(_count + 1, _samples.Length);
        }
    }

    /// <summary>The newest sample taken at or before <paramref name="timestamp"/>, if any is kept.</summary>
    public ThroughputSample? AtOrBefore(long timestamp)
    {
        lock (_lock)
        {
            for (var i = 1; i <= _count; i++)
            {
                var sample = _samples[(_next - i + _samples.Length) % _samples.Length];
                if (sample.Timestamp <= timestamp)
                {
                    return sample;
                }
            }

            return null;
        }
    }
}
