namespace Resilience.Metrics;

/// <summary>
/// A fixed set of 64-bit counters, striped per processor so threads on different cores never write the same
/// cache line. Writes are one <see cref="Interlocked"/> add on the current core's stripe; reads sum the stripes.
/// </summary>
internal sealed class StripedCounters
{
    // 32 longs = 256 bytes per stripe: a multiple of the cache line (and of the adjacent-line prefetch pair).
    private const int Stride = 32;

    private readonly long[] _cells;
    private readonly int _stripeMask;

    public StripedCounters(int counters)
    {
        if (counters is <= 0 or > Stride)
        {
            throw new ArgumentOutOfRangeException(nameof(counters), counters, $"A stripe holds 1 to {Stride} counters.");
        }

        Count = counters;
        StripeCount = Stripes.Count;
        _stripeMask = StripeCount - 1;

        // One spare stripe in front keeps stripe 0 off the array header's cache line.
        _cells = new long[(StripeCount + 1) * Stride];
    }

    public int StripeCount { get; }

    /// <summary>How many counters a stripe holds.</summary>
    public int Count { get; }

    /// <summary>Every counter summed in one pass, named by <paramref name="read"/> (which knows the slots).</summary>
    public CounterTotals Totals(CounterTotalsReader read)
    {
        Span<long> sums = stackalloc long[Count];
        SumAll(sums);
        return read(sums);
    }

    /// <summary>The offset of the calling thread's stripe; take it once per event and pass it to <see cref="Add"/>.</summary>
    public int CurrentStripe => StripeOf(Thread.GetCurrentProcessorId());

    /// <summary>The offset of the stripe of processor <paramref name="processorId"/> (one processor id serves several structures per event).</summary>
    public int StripeOf(int processorId) => ((processorId & _stripeMask) + 1) * Stride;

    public void Add(int stripe, int counter, long value) => Interlocked.Add(ref _cells[stripe + counter], value);

    public void Increment(int stripe, int counter) => Interlocked.Increment(ref _cells[stripe + counter]);

    /// <summary>Every counter's sum, in one pass over the stripes.</summary>
    public void SumAll(Span<long> sums)
    {
        sums.Clear();
        for (var offset = Stride; offset < _cells.Length; offset += Stride)
        {
            for (var counter = 0; counter < sums.Length; counter++)
            {
                sums[counter] += Volatile.Read(ref _cells[offset + counter]);
            }
        }
    }

    public long Sum(int counter)
    {
        long sum = 0;
        for (var offset = Stride; offset < _cells.Length; offset += Stride)
        {
            sum += Volatile.Read(ref _cells[offset + counter]);
        }

        return sum;
    }
}
