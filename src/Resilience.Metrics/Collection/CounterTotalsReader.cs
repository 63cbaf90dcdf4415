namespace Resilience.Metrics;

/// <summary>Names the sums of a ring's counters, in the slot order of the counters it rotates (a backend's or a model's).</summary>
internal delegate CounterTotals CounterTotalsReader(ReadOnlySpan<long> sums);
