namespace Resilience.Metrics;

/// <summary>
/// The most recent traces of a backend, in a fixed ring: a writer claims a slot with one interlocked increment and
/// overwrites the oldest trace. Lookups scan the ring, which is bounded by <c>MetricsWindowSize</c>.
/// </summary>
internal sealed class TraceRing(int capacity)
{
    private readonly RequestTrace?[] _slots = new RequestTrace?[capacity];
    private long _written;

    public void Add(RequestTrace trace)
    {
        var index = Interlocked.Increment(ref _written) - 1;
        Volatile.Write(ref _slots[index % _slots.Length], trace);
    }

    /// <summary>Newest first.</summary>
    public IEnumerable<RequestTrace> Recent()
    {
        var written = Volatile.Read(ref _written);
        var count = Math.Min(written, _slots.Length);
        for (var i = 1; i <= count; i++)
        {
            var trace = Volatile.Read(ref _slots[(written - i) % _slots.Length]);
            if (trace is not null)
            {
                yield return trace;
            }
        }
    }
}
