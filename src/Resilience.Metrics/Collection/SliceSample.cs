namespace Resilience.Metrics;

/// <summary>One slice as history: when it ended (a timestamp), the cumulative counters then, the trailing window's percentiles in ticks.</summary>
internal sealed record SliceSample(long EndTimestamp, CounterTotals Totals, double[]? PercentileTicks);
