namespace Resilience.Metrics;

/// <summary>
/// A window's totals: when it starts (a <see cref="TimeProvider"/> timestamp), its counters, how many latencies its
/// histogram holds and the requested percentiles in ticks (null without a histogram).
/// </summary>
internal sealed record WindowTotals(long StartTimestamp, CounterTotals Totals, long HistogramTotal, double[]? PercentileTicks);
