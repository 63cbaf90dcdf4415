namespace Resilience.Metrics.Tests.Collection;

public class StripedCountersTests
{
    [Fact]
    public void Sums_are_exact_when_many_threads_add_at_once()
    {
        var counters = new StripedCounters(3);
        const int threads = 8;
        const int perThread = 200_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (var i = 0; i < perThread; i++)
            {
                var stripe = counters.CurrentStripe;
                counters.Increment(stripe, 0);
                counters.Add(stripe, 2, 3);
            }
        });

        Assert.Equal(threads * perThread, counters.Sum(0));
        Assert.Equal(0, counters.Sum(1));
        Assert.Equal(3L * threads * perThread, counters.Sum(2));
    }

    [Fact]
    public void A_stripe_holds_at_most_thirty_two_counters() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StripedCounters(33));
}
