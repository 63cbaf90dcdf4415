namespace Resilience.Metrics.Tests.Collection;

public class LatencyHistogramTests
{
    [Fact]
    public void Bucket_indexes_grow_with_the_value_and_stay_in_range()
    {
        var previous = -1;
        for (long ticks = 0; ticks < 1L << 42; ticks = (ticks * 17 / 16) + 1)
        {
            var index = LatencyHistogram.BucketIndex(ticks);
            Assert.InRange(index, previous, LatencyHistogram.BucketCount - 1);
            previous = index;
        }
    }

    [Fact]
    public void A_bucket_midpoint_is_within_one_percent_of_every_value_in_it()
    {
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var ticks = (long)Math.Exp(random.NextDouble() * 28);          // 1 tick to about 40 hours
            var midpoint = LatencyHistogram.BucketMidpoint(LatencyHistogram.BucketIndex(ticks));
            Assert.True(Math.Abs(midpoint - ticks) <= ticks * 0.01, $"{ticks} -> {midpoint}");
        }
    }

    public static TheoryData<string> Distributions => ["lognormal", "bimodal", "uniform", "constant"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Percentiles_are_within_one_percent_of_the_exact_sorted_values(string distribution)
    {
        var samples = Samples(distribution, 50_000);
        var histogram = new LatencyHistogram();
        foreach (var ticks in samples)
        {
            histogram.Record(ticks);
        }

        var snapshot = histogram.Snapshot();
        Array.Sort(samples);
        Assert.Equal(samples.Length, snapshot.Total);
        Assert.Equal(samples[0], snapshot.MinTicks);
        Assert.Equal(samples[^1], snapshot.MaxTicks);
        foreach (var percentile in new[] { 1, 10, 50, 90, 95, 99, 99.9, 100 })
        {
            // The guide's definition: the sorted sample at index int(n * p).
            var exact = samples[Math.Min(samples.Length - 1, (int)(samples.Length * percentile / 100))];
            var reported = snapshot.ValueAtPercentile(percentile);
            Assert.True(Math.Abs(reported - exact) <= exact * 0.01, $"p{percentile}: exact {exact}, reported {reported}");
        }
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Several_percentiles_in_one_pass_equal_each_computed_alone(string distribution)
    {
        var histogram = new LatencyHistogram();
        foreach (var ticks in Samples(distribution, 10_000))
        {
            histogram.Record(ticks);
        }

        var snapshot = histogram.Snapshot();
        double[] percentiles = [99, 50, 99.9, 1, 95, 50, 100, 90];
        var values = new double[percentiles.Length];
        snapshot.ValuesAtPercentiles(percentiles, values);

        Assert.Equal(percentiles.Select(snapshot.ValueAtPercentile), values);
    }

    internal static long[] Samples(string distribution, int count)
    {
        var random = new Random(42);
        return distribution switch
        {
            // Log-normal around 200 ms with a long tail, in ticks.
            "lognormal" => [.. Enumerable.Range(0, count).Select(_ => (long)(Math.Exp(Normal(random) * 0.8) * 200 * TimeSpan.TicksPerMillisecond))],
            // Cache hits near 5 ms and misses near 900 ms.
            "bimodal" => [.. Enumerable.Range(0, count).Select(i => (long)(((i % 5 == 0) ? 900 : 5) * TimeSpan.TicksPerMillisecond * (1 + (0.1 * Normal(random)))))],
            "uniform" => [.. Enumerable.Range(0, count).Select(_ => (long)random.NextInt64(1, 10 * TimeSpan.TicksPerSecond))],
            _ => [.. Enumerable.Repeat(123 * TimeSpan.TicksPerMillisecond, count)],
        };
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var snapshot = new LatencyHistogram().Snapshot();
        Assert.Equal(0, snapshot.Total);
        Assert.Equal(0, snapshot.ValueAtPercentile(99));
    }
}
