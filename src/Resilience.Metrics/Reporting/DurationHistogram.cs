namespace Resilience.Metrics;

/// <summary>
/// Durations as cumulative Prometheus-style buckets (what <c>api_request_duration_seconds</c> exposes): how many were
/// at most each upper bound, their sum and their count, since start or the last reset.
/// </summary>
/// <param name="UpperBounds">The buckets' upper bounds in seconds, ascending (<see cref="DefaultUpperBounds"/>); +Inf is implied.</param>
/// <param name="CumulativeCounts">How many durations were at most each bound; the +Inf bucket is <paramref name="Count"/>.</param>
/// <param name="Sum">The durations' sum in seconds.</param>
/// <param name="Count">How many durations.</param>
internal sealed record DurationHistogram(IReadOnlyList<double> UpperBounds, IReadOnlyList<long> CumulativeCounts, double Sum, long Count)
{
    /// <summary>
    /// Bounds suited to LLM calls, from an embedding's few milliseconds to a long generation's minutes:
    /// 5 ms, 10 ms, 25 ms, 50 ms, 100 ms, 250 ms, 500 ms, 1 s, 2.5 s, 5 s, 10 s, 20 s, 30 s, 1 min, 2 min, 5 min.
    /// </summary>
    public static IReadOnlyList<double> DefaultUpperBounds { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

    private static readonly double[] UpperBoundTicks = [.. DefaultUpperBounds.Select(s => s * TimeSpan.TicksPerSecond)];

    /// <summary>No durations.</summary>
    public static DurationHistogram Empty { get; } = new(DefaultUpperBounds, new long[DefaultUpperBounds.Count], 0, 0);

    /// <summary>
    /// Re-buckets a log-linear histogram: each of its buckets counts under the first bound at or above its midpoint, so
    /// only a duration within 0.8 % of a bound can land in the neighbouring bucket.
    /// </summary>
    internal static DurationHistogram From(HistogramSnapshot snapshot, long sumTicks)
    {
        if (snapshot.Total == 0)
        {
            return Empty;
        }

        var counts = new long[UpperBoundTicks.Length];
        snapshot.AddInto(UpperBoundTicks, counts);
        for (var i = 1; i < counts.Length; i++)
        {
            counts[i] += counts[i - 1];
        }

        return new DurationHistogram(DefaultUpperBounds, counts, sumTicks / (double)TimeSpan.TicksPerSecond, snapshot.Total);
    }
}
