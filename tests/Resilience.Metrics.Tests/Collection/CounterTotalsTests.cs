namespace Resilience.Metrics.Tests.Collection;

public sealed class CounterTotalsTests
{
    [Fact]
    public void Totals_name_every_slot_and_never_report_negative_failures()
    {
        var sums = new long[RecordedMetrics.CounterCount];
        sums[RecordedMetrics.Successes] = 7;
        sums[RecordedMetrics.Failures] = -2;   // an SDK retry's success after a reset
        sums[RecordedMetrics.CategorySlot(ErrorCategory.Timeout)] = 3;

        var totals = RecordedMetrics.TotalsOf(sums);

        Assert.Equal(7, totals.Successes);
        Assert.Equal(0, totals.Failures);
        Assert.Equal(7, totals.Requests);
        Assert.Equal(3, totals.Category(ErrorCategory.Timeout));
        Assert.Equal(0, totals.Category(ErrorCategory.None));
        Assert.Equal(0, ModelStats.TotalsOf(new long[ModelStats.CounterCount]).Category(ErrorCategory.Timeout));
        Assert.Throws<ArgumentException>(() => new CounterTotals { Categories = [1, 2] });
    }
}
