using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Reporting;

public sealed class DurationHistogramTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;
    private readonly BackendKey _openai;

    public DurationHistogramTests()
    {
        _collector = new MetricsCollector(_time);
        _reporter = new MetricsReporter(_collector);
        _openai = _collector.RegisterBackend("openai", new BackendRegistration { DetailedLatency = true });
    }

    public void Dispose() => _collector.Dispose();

    private void Request(double ms, double? firstChunkMs = null) => _collector.RecordRequest(new RequestCompleted(_openai)
    {
        Latency = TimeSpan.FromMilliseconds(ms),
        TimeToFirstChunk = firstChunkMs is { } first ? TimeSpan.FromMilliseconds(first) : null,
        Succeeded = true,
        Attempts = 1,
        Model = "gpt-4o",
    });

    [Fact]
    public void Latencies_fall_into_cumulative_buckets_with_their_sum_and_count()
    {
        foreach (var ms in new[] { 1.0, 4.9, 7, 40, 900, 1100, 45_000, 400_000 })
        {
            Request(ms, firstChunkMs: ms == 1100 ? 120 : null);   // one streamed response
        }

        var latency = _reporter.GetLatencyMetrics("openai");
        var histogram = latency.Histogram!;

        Assert.Equal(DurationHistogram.DefaultUpperBounds, histogram.UpperBounds);
        Assert.Equal(8, histogram.Count);
        Assert.Equal(447.0529, histogram.Sum, 6);
        long[] expected = [2, 3, 3, 4, 4, 4, 4, 5, 6, 6, 6, 6, 6, 7, 7, 7];
        Assert.Equal(expected, histogram.CumulativeCounts);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], latency.TimeToFirstByte!.Histogram!.CumulativeCounts);
        Assert.Equal(expected, _reporter.GetMetricsReport("openai").Models["gpt-4o"].Histogram!.CumulativeCounts);

        var text = _reporter.GetPrometheusMetrics();
        Assert.Contains("# TYPE api_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("api_request_duration_seconds_bucket{api=\"openai\",le=\"0.005\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("api_request_duration_seconds_bucket{api=\"openai\",le=\"300\"} 7\n", text, StringComparison.Ordinal);
        Assert.Contains("api_request_duration_seconds_bucket{api=\"openai\",le=\"+Inf\"} 8\n", text, StringComparison.Ordinal);
        Assert.Contains("api_request_duration_seconds_sum{api=\"openai\"} 447.0529\n", text, StringComparison.Ordinal);
        Assert.Contains("api_request_duration_seconds_count{api=\"openai\"} 8\n", text, StringComparison.Ordinal);
        Assert.Contains("api_time_to_first_chunk_seconds_bucket{api=\"openai\",le=\"0.25\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("api_model_request_duration_seconds_bucket{api=\"openai\",model=\"gpt-4o\",le=\"1\"} 5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backend_without_requests_exposes_zero_buckets_and_the_json_report_leaves_them_out()
    {
        var text = _reporter.GetPrometheusMetrics();

        Assert.Contains("api_request_duration_seconds_bucket{api=\"openai\",le=\"+Inf\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("api_time_to_first_chunk_seconds_count{api=\"openai\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("histogram", _reporter.GetJsonReport("openai"), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_duration_within_one_percent_of_a_bound_can_land_in_the_neighbouring_bucket()
    {
        var random = new Random(5);
        var samples = new List<double>();
        for (var i = 0; i < 20_000; i++)
        {
            var ms = Math.Exp(random.NextDouble() * 13);          // 1 ms to about 7 minutes
            samples.Add(ms);
            Request(ms);
        }

        var histogram = _reporter.GetLatencyMetrics("openai").Histogram!;
        for (var b = 0; b < histogram.UpperBounds.Count; b++)
        {
            var bound = histogram.UpperBounds[b] * 1000;
            var sure = samples.Count(ms => ms <= bound * 0.99);
            var possible = samples.Count(ms => ms <= bound * 1.01);
            Assert.InRange(histogram.CumulativeCounts[b], sure, possible);
        }
    }
}
