using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Collection;

public sealed class SlidingWindowTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;
    private readonly BackendKey _openai;

    public SlidingWindowTests()
    {
        _collector = new MetricsCollector(_time);
        _reporter = new MetricsReporter(_collector);
        _openai = _collector.RegisterBackend("openai", new BackendRegistration { DetailedLatency = true });
    }

    public void Dispose() => _collector.Dispose();

    private void Request(double ms, bool ok = true, string? model = null, long tokens = 0) =>
        _collector.RecordRequest(new RequestCompleted(_openai)
        {
            Latency = TimeSpan.FromMilliseconds(ms),
            Succeeded = ok,
            ErrorCategory = ok ? ErrorCategory.None : ErrorCategory.ServiceUnavailable,
            ErrorType = ok ? null : "503",
            Attempts = 1,
            Model = model,
            CompletionTokens = tokens,
        });

    // Ten requests a second for the given time; every other one fails when failing.
    private void Traffic(TimeSpan duration, double ms, bool failing = false)
    {
        for (var second = 0; second < duration.TotalSeconds; second++)
        {
            for (var i = 0; i < 10; i++)
            {
                Request(ms + i, ok: !failing || i % 2 == 0, model: "gpt-4o", tokens: 10);
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void A_regime_change_moves_the_one_minute_window_while_since_start_barely_moves()
    {
        Traffic(TimeSpan.FromMinutes(10), ms: 100);
        var healthy = _reporter.GetMetricsReport("openai");
        Assert.Equal(0, healthy.Windows["1m"].ErrorRate);
        Assert.InRange(healthy.Windows["1m"].Percentiles["95"], 100, 110);

        Traffic(TimeSpan.FromMinutes(2), ms: 300, failing: true);
        var report = _reporter.GetMetricsReport("openai");

        // The last minute is all outage: half the requests failed, at three times the latency.
        var minute = report.Windows["1m"];
        Assert.InRange(minute.WindowSeconds, 55, 60);
        Assert.Equal(minute.WindowSeconds * 10, minute.Requests, 0.0);
        Assert.Equal(0.5, minute.ErrorRate);
        Assert.Equal(minute.Failures, minute.ErrorCategories["service_unavailable"]);
        Assert.InRange(minute.Percentiles["50"], 300 * 0.99, 310 * 1.01);
        Assert.InRange(minute.AvgLatency, 300, 310);
        Assert.Equal(10, minute.RequestsPerSecond, 6);
        Assert.Equal(100, minute.TokensPerSecond, 6);

        // Five minutes: two of outage, three healthy.
        var five = report.Windows["5m"];
        Assert.InRange(five.WindowSeconds, 295, 300);
        Assert.InRange(five.ErrorRate, 0.19, 0.21);

        // Since start: 600 of 7,200 failed, the median did not move; the 15-minute window holds all 12 minutes.
        Assert.Equal(600.0 / 7200, report.Errors.ErrorRate, 6);
        Assert.InRange(report.Latency.Percentiles["50"], 99, 111);
        Assert.Equal(report.TotalRequests, report.Windows["15m"].Requests);
        Assert.Equal(720, report.Windows["15m"].WindowSeconds, 6);

        // The model's windows move the same way.
        Assert.Equal(0.5, report.Models["gpt-4o"].Windows["1m"].ErrorRate);
        Assert.InRange(report.Models["gpt-4o"].Windows["1m"].Percentiles["50"], 297, 313);

        // And recover: two healthy minutes later the last minute is clean again.
        Traffic(TimeSpan.FromMinutes(2), ms: 100);
        Assert.Equal(0, _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(1)).ErrorRate);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(300)]
    [InlineData(900)]
    public void Windowed_percentiles_are_within_one_percent_of_the_exact_percentiles_of_the_same_slices(int windowSeconds)
    {
        var random = new Random(windowSeconds);
        var samples = new List<(DateTimeOffset At, long Ticks)>();
        for (var step = 0; step < 1_300; step++)
        {
            for (var i = 0; i < 20; i++)
            {
                // Log-normal around 400 ms with a heavy tail, as LLM calls are.
                var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                var ticks = (long)(TimeSpan.TicksPerMillisecond * 400 * Math.Exp(0.8 * normal));
                _collector.RecordRequest(new RequestCompleted(_openai) { Latency = TimeSpan.FromTicks(ticks), Succeeded = true, Attempts = 1 });
                samples.Add((_time.GetUtcNow(), ticks));
            }

            _time.Advance(TimeSpan.FromMilliseconds(700));
        }

        var window = _reporter.GetWindowMetrics("openai", TimeSpan.FromSeconds(windowSeconds));
        var start = _time.GetUtcNow() - TimeSpan.FromSeconds(window.WindowSeconds);
        var exact = samples.Where(s => s.At >= start).Select(s => s.Ticks).Order().ToArray();

        Assert.Equal(exact.Length, window.Requests);
        foreach (var percentile in new[] { 50, 90, 95, 99 })
        {
            var expected = exact[Math.Min(exact.Length - 1, exact.Length * percentile / 100)] / (double)TimeSpan.TicksPerMillisecond;
            var reported = window.Percentiles[percentile.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            Assert.True(Math.Abs(reported - expected) <= expected * 0.01, $"p{percentile}: exact {expected}, reported {reported}");
        }
    }

    [Fact]
    public void Memory_is_flat_over_24_simulated_hours()
    {
        var random = new Random(24);
        string[] models = ["gpt-4o", "gpt-4o-mini", "o3"];
        long afterOneHour = 0;
        for (var slice = 0; slice < 24 * 720; slice++)
        {
            for (var i = 0; i < 10; i++)
            {
                // Latencies from 1 ms to about 3 minutes: many buckets per slice.
                Request(Math.Exp(random.NextDouble() * 12), ok: random.Next(10) != 0, model: models[i % models.Length], tokens: 5);
            }

            _time.Advance(SliceRing.SliceLength);
            if (slice == 720)
            {
                afterOneHour = RetainedBytes();
            }
        }

        var windows = _collector.Find("openai")!.Recorded.Windows;
        Assert.Equal(SliceRing.SliceCount, windows.Count);
        Assert.True(RetainedBytes() <= afterOneHour * 1.1, $"{afterOneHour} B after 1 h, {RetainedBytes()} B after 24 h");

        // The bound: per ring its fixed arrays plus at most every bucket in every slice.
        long bound = 4 * ((SliceRing.SliceCount * (RecordedMetrics.CounterCount + 1) * 8) + (LatencyHistogram.BucketCount * 8)
            + (SliceRing.SliceCount * LatencyHistogram.BucketCount * 12)) + (LatencyHistogram.BucketCount * 8);
        Assert.True(RetainedBytes() < bound);
        Assert.Equal(1790, _reporter.GetMetricsReport("openai").Windows["15m"].Requests);
    }

    private long RetainedBytes() => _collector.Find("openai")!.Recorded.Windows.RetainedBytes;

    [Fact]
    public void A_fresh_backend_divides_by_its_age_and_a_reset_clears_the_windows()
    {
        _time.Advance(TimeSpan.FromSeconds(2));
        Request(100);
        Request(100);

        var window = _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(1));
        Assert.Equal(2, window.WindowSeconds, 6);
        Assert.Equal(1, window.RequestsPerSecond, 6);
        Assert.Equal(100, window.Percentiles["50"], 1.0);

        _reporter.ResetMetrics("openai");
        Assert.Equal(0, _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(1)).Requests);
    }

    [Fact]
    public void Windows_are_validated_and_rounded_up_to_whole_slices()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _reporter.GetWindowMetrics("openai", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(16)));

        Traffic(TimeSpan.FromSeconds(33), ms: 100);

        // 7 s rounds up to two slices: the newest complete one (5 s) and the current one (3 s).
        Assert.Equal(8, _reporter.GetWindowMetrics("openai", TimeSpan.FromSeconds(7)).WindowSeconds, 6);
        Assert.Equal(80, _reporter.GetWindowMetrics("openai", TimeSpan.FromSeconds(7)).Requests);
    }

    [Fact]
    public void One_large_advance_of_the_clock_still_closes_every_slice()
    {
        Request(100);
        _time.Advance(TimeSpan.FromMinutes(3));
        Request(500, ok: false);

        var report = _reporter.GetMetricsReport("openai");
        Assert.Equal(1, report.Windows["1m"].Requests);
        Assert.Equal(2, report.Windows["5m"].Requests);
    }

    [Fact]
    public void The_json_report_has_the_three_windows_with_the_issues_keys()
    {
        Traffic(TimeSpan.FromSeconds(20), ms: 100);

        using var document = System.Text.Json.JsonDocument.Parse(_reporter.GetJsonReport("openai"));
        var windows = document.RootElement.GetProperty("windows");

        Assert.Equal(["1m", "5m", "15m"], windows.EnumerateObject().Select(p => p.Name));
        var minute = windows.GetProperty("1m");
        foreach (var key in new[] { "requests", "successes", "failures", "success_rate", "error_rate", "avg_latency", "percentiles", "requests_per_second", "tokens_per_second", "error_categories", "window_seconds" })
        {
            Assert.True(minute.TryGetProperty(key, out _), key);
        }

        Assert.Equal(["50", "90", "95", "99"], minute.GetProperty("percentiles").EnumerateObject().Select(p => p.Name));
        Assert.Equal(200, minute.GetProperty("requests").GetInt64());
        Assert.Equal(7, minute.GetProperty("error_categories").EnumerateObject().Count());
        Assert.Equal(200, document.RootElement.GetProperty("models").GetProperty("gpt-4o").GetProperty("windows").GetProperty("5m").GetProperty("requests").GetInt64());
    }

    [Fact]
    public void The_ascii_report_shows_the_last_five_minutes_beside_since_start()
    {
        Traffic(TimeSpan.FromMinutes(10), ms: 100);
        Traffic(TimeSpan.FromMinutes(5), ms: 300, failing: true);

        var lines = _reporter.GetAsciiReport("openai").Split('\n');

        Assert.Contains("Recent:             last 5 min  since start", lines);
        Assert.Contains("  Requests:               2950         9000", lines);
        Assert.Contains("  Error Rate:           50.00%       16.67%", lines);
    }

    [Fact]
    public void History_gives_every_slice_with_its_totals_and_the_trailing_minutes_percentiles()
    {
        Traffic(TimeSpan.FromMinutes(10), ms: 100);
        Traffic(TimeSpan.FromMinutes(2), ms: 300, failing: true);

        var history = _reporter.GetHistory("openai");
        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal(144, history.Count);                                  // 12 minutes of 5 s slices
        Assert.Equal(report.Timestamp, history[^1].Timestamp);             // the newest slice ended now
        Assert.All(history.Zip(history.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(5), pair.Second.Timestamp - pair.First.Timestamp));
        Assert.Equal(report.TotalRequests, history[^1].TotalRequests);
        Assert.Equal(report.Failures, history[^1].Failures);
        Assert.Equal(50, history[0].TotalRequests);
        Assert.Equal(report.TokenCounts.Completion, history[^1].Tokens);

        // The p95 of the minute ending at each slice: 100 ms while healthy, 300 ms once the outage filled the minute.
        Assert.InRange(history[100].Percentiles["95"], 99, 111);
        Assert.InRange(history[^1].Percentiles["95"], 297, 313);
        Assert.Equal(0, history[119].Failures);
        Assert.Equal(300, history[131].Failures);

        using var json = System.Text.Json.JsonDocument.Parse(_reporter.GetJsonHistory());
        var samples = json.RootElement.GetProperty("openai");
        Assert.Equal(144, samples.GetArrayLength());
        Assert.Equal(report.TotalRequests, samples[143].GetProperty("total_requests").GetInt64());
        Assert.True(samples[143].GetProperty("percentiles").GetProperty("95").GetDouble() > 290);
    }
}
