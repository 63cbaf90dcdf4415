using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Resilience.Metrics.Tests.Backends;

public sealed class RateLimitHeadersTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;

    public RateLimitHeadersTests()
    {
        _collector = new MetricsCollector(_time);
        _reporter = new MetricsReporter(_collector);
    }

    public void Dispose() => _collector.Dispose();

    private ResiliencePipeline<HttpResponseMessage> Pipeline(string backend) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring(backend, _collector, o => o.Resilience = ApiResilience.None)
            .Build();

    private static HttpResponseMessage Response(HttpStatusCode status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    private void Send(string backend, HttpResponseMessage response)
    {
        using (response)
        {
            Pipeline(backend).Execute(static (_, r) => r, ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken), response);
        }
    }

    // OpenAI's documented shapes (Groq sends the same names): Go durations for the resets.
    private static HttpResponseMessage OpenAiResponse(string remainingRequests = "9999", string resetTokens = "6m0s") => Response(HttpStatusCode.OK,
        ("x-request-id", "req_123"),
        ("x-ratelimit-limit-requests", "10000"),
        ("x-ratelimit-remaining-requests", remainingRequests),
        ("x-ratelimit-reset-requests", "8.64s"),
        ("x-ratelimit-limit-tokens", "2000000"),
        ("x-ratelimit-remaining-tokens", "1999000"),
        ("x-ratelimit-reset-tokens", resetTokens),
        ("openai-processing-ms", "120"));

    [Fact]
    public void OpenAI_headers_give_limit_remaining_and_a_reset_from_the_go_duration()
    {
        Send("openai", OpenAiResponse());
        _time.Advance(TimeSpan.FromSeconds(2));

        var limits = _reporter.GetMetricsReport("openai").RateLimits;

        Assert.Equal(new RateLimitMetrics { Limit = 10000, Remaining = 9999, ResetSeconds = 6.64, ObservedAt = Start }, limits.Requests);
        Assert.Equal(new RateLimitMetrics { Limit = 2000000, Remaining = 1999000, ResetSeconds = 358, ObservedAt = Start }, limits.Tokens);
        Assert.Null(limits.InputTokens);
        Assert.Null(limits.OutputTokens);
        Assert.Equal(0, limits.MalformedHeaders);
    }

    [Theory]
    [InlineData("1s", 1_000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("59.6ms", 59.6)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("2m59.56s", 179_560)]
    [InlineData("0s", 0)]
    [InlineData("250us", 0.25)]
    [InlineData("250µs", 0.25)]
    [InlineData("1500ns", 0.0015)]
    [InlineData("20", 20_000)]
    [InlineData("1.5", 1_500)]
    public void Go_durations_parse_as_OpenAI_and_Groq_send_them(string value, double milliseconds)
    {
        Assert.True(RateLimitValues.TryParseGoDuration(value, out var ticks));
        Assert.Equal(milliseconds, ticks / (double)TimeSpan.TicksPerMillisecond, 4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1x")]
    [InlineData("1m-3s")]
    [InlineData("1e3s")]
    [InlineData("1..5s")]
    [InlineData("100000h")]   // absurd: more than 31 days
    [InlineData("soon")]
    [InlineData("0.0000000000000000000001s")]   // more than 17 digits
    [InlineData(".5s")]
    public void Malformed_negative_or_absurd_durations_are_refused(string value) =>
        Assert.False(RateLimitValues.TryParseGoDuration(value, out _));

    [Theory]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("ten")]
    [InlineData("1000000000001")]
    [InlineData("")]
    [InlineData("0x10")]
    public void Malformed_negative_or_absurd_counts_are_refused(string value) =>
        Assert.False(RateLimitValues.TryParseCount(value, out _));

    [Fact]
    public void Anthropic_headers_give_every_kind_with_resets_from_rfc_3339_times()
    {
        Send("anthropic", Response(HttpStatusCode.OK,
            ("request-id", "req_018"),
            ("anthropic-ratelimit-requests-limit", "4000"),
            ("anthropic-ratelimit-requests-remaining", "3999"),
            ("anthropic-ratelimit-requests-reset", "2026-12-05T12:00:07Z"),
            ("anthropic-ratelimit-tokens-limit", "480000"),
            ("anthropic-ratelimit-tokens-remaining", "480000"),
            ("anthropic-ratelimit-tokens-reset", "2026-12-05T12:00:01.5Z"),
            ("anthropic-ratelimit-input-tokens-limit", "400000"),
            ("anthropic-ratelimit-input-tokens-remaining", "30000"),
            ("anthropic-ratelimit-input-tokens-reset", "2026-12-05T13:00:00+01:00"),
            ("anthropic-ratelimit-output-tokens-limit", "80000"),
            ("anthropic-ratelimit-output-tokens-remaining", "79000"),
            ("anthropic-ratelimit-output-tokens-reset", "2026-12-05T12:00:30Z")));
        _time.Advance(TimeSpan.FromSeconds(1));

        var limits = _reporter.GetRateLimits("anthropic");

        Assert.Equal((4000L, 3999L, 6.0), (limits.Requests!.Limit!.Value, limits.Requests.Remaining!.Value, limits.Requests.ResetSeconds!.Value));
        Assert.Equal(0.5, limits.Tokens!.ResetSeconds);
        Assert.Equal(0, limits.InputTokens!.ResetSeconds);   // 13:00+01:00 is 12:00Z: passed
        Assert.Equal((80000L, 79000L, 29.0), (limits.OutputTokens!.Limit!.Value, limits.OutputTokens.Remaining!.Value, limits.OutputTokens.ResetSeconds!.Value));

        // The input tokens' window has reset, so its 7.5 % is not counted: the scarcest live kind is output tokens.
        Assert.Equal(("output_tokens", 79000 / 80000.0), limits.LowestHeadroom);
    }

    [Fact]
    public void A_429_carries_its_limits_and_retry_after_and_is_still_a_failure()
    {
        Send("groq", Response(HttpStatusCode.TooManyRequests,
            ("retry-after", "7"),
            ("x-ratelimit-limit-requests", "14400"),
            ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "2m59.56s"),
            ("x-ratelimit-limit-tokens", "18000"),
            ("x-ratelimit-remaining-tokens", "17997"),
            ("x-ratelimit-reset-tokens", "7.66s")));

        var report = _reporter.GetMetricsReport("groq");

        Assert.Equal(1, report.Failures);
        Assert.Equal(1, report.Errors.ErrorCategories["rate_limiting"]);
        Assert.Equal((14400L, 0L, 179.56), (report.RateLimits.Requests!.Limit!.Value, report.RateLimits.Requests.Remaining!.Value, report.RateLimits.Requests.ResetSeconds!.Value));
        Assert.Equal(7, report.RateLimits.RetryAfterSeconds);
        Assert.Equal(("requests", 0.0), report.RateLimits.LowestHeadroom);
    }

    [Theory]
    [InlineData("retry-after", "Sat, 05 Dec 2026 12:00:30 GMT", 30)]
    [InlineData("retry-after", "12", 12)]
    [InlineData("retry-after-ms", "1500.7", 1.501)]
    public void Retry_after_is_read_as_seconds_an_http_date_or_milliseconds(string name, string value, double seconds)
    {
        Send("openai", Response(HttpStatusCode.TooManyRequests, (name, value)));

        Assert.Equal(seconds, _reporter.GetRateLimits("openai").RetryAfterSeconds);
    }

    [Fact]
    public void Malformed_values_are_ignored_and_counted_never_thrown()
    {
        Send("openai", OpenAiResponse());
        Send("openai", Response(HttpStatusCode.OK,
            ("x-ratelimit-limit-requests", "lots"),
            ("x-ratelimit-remaining-requests", "-3"),
            ("x-ratelimit-reset-requests", "tomorrow"),
            ("x-ratelimit-remaining-tokens", "99999999999999999999"),
            ("anthropic-ratelimit-tokens-reset", "1999-01-01T00:00:00Z"),   // absurd: years away
            ("retry-after", "whenever"),
            ("x-ratelimit-limit-widgets", "5")));                         // an unknown kind: not ours, not counted

        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal(2, report.Successes);
        Assert.Equal(0, report.MonitoringErrors);
        Assert.Equal(6, report.RateLimits.MalformedHeaders);
        Assert.Equal(10000, report.RateLimits.Requests!.Limit);       // the last good values stand
        Assert.Equal(9999, report.RateLimits.Requests.Remaining);
        Assert.Contains("api_ratelimit_header_errors_total{api=\"openai\"} 6\n", _reporter.GetPrometheusMetrics(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_report_has_rate_limits_with_only_the_kinds_sent()
    {
        Send("openai", OpenAiResponse());
        _reporter.GetMetricsReport("none");
        using var json = JsonDocument.Parse(_reporter.GetJsonReport("openai"));
        using var none = JsonDocument.Parse(_reporter.GetJsonReport("none"));

        var limits = json.RootElement.GetProperty("rate_limits");
        Assert.Equal(["requests", "tokens", "malformed_headers"], limits.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["limit", "remaining", "reset_seconds", "observed_at"], limits.GetProperty("requests").EnumerateObject().Select(p => p.Name));
        Assert.Equal(9999, limits.GetProperty("requests").GetProperty("remaining").GetInt64());
        Assert.Equal(["malformed_headers"], none.RootElement.GetProperty("rate_limits").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Prometheus_has_a_gauge_per_kind_and_field_sent()
    {
        Send("openai", OpenAiResponse());
        _time.Advance(TimeSpan.FromSeconds(1));

        var text = _reporter.GetPrometheusMetrics();

        Assert.Contains("# TYPE api_ratelimit_limit gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("api_ratelimit_limit{api=\"openai\",kind=\"requests\"} 10000\n", text, StringComparison.Ordinal);
        Assert.Contains("api_ratelimit_remaining{api=\"openai\",kind=\"tokens\"} 1999000\n", text, StringComparison.Ordinal);
        Assert.Contains("api_ratelimit_reset_seconds{api=\"openai\",kind=\"tokens\"} 359\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kind=\"input_tokens\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ascii_report_lists_the_limits_only_when_headers_came()
    {
        Send("openai", OpenAiResponse());

        Assert.EndsWith(
            "\n\nRate Limits (latest headers):\n  requests: 9999 of 10000 left (99.99%), resets in 8.64 s\n  tokens: 1999000 of 2000000 left (99.95%), resets in 360.00 s",
            _reporter.GetAsciiReport("openai"),
            StringComparison.Ordinal);
        Assert.DoesNotContain("Rate Limits", _reporter.GetAsciiReport("other"), StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_headers_allocates_nothing_when_they_are_absent_nor_when_present()
    {
        var key = _collector.RegisterBackend("openai");
        var collector = GuardedMetricsCollector.Wrap(_collector, null);
        using var plain = Response(HttpStatusCode.OK,
            ("x-request-id", "req_1"), ("cf-ray", "8c1"), ("date", "Sat, 05 Dec 2026 12:00:00 GMT"), ("server", "cloudflare"), ("retry-after-never", "1"));
        using var limited = OpenAiResponse();
        using var anthropic = Response(HttpStatusCode.OK,
            ("anthropic-ratelimit-requests-limit", "4000"),
            ("anthropic-ratelimit-requests-remaining", "3999"),
            ("anthropic-ratelimit-requests-reset", "2026-12-05T12:00:07Z"));

        long Allocated(HttpResponseMessage response)
        {
            RateLimits.Observe(response, collector.RateLimitsOf(key), collector.TimeProvider);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                RateLimits.Observe(response, collector.RateLimitsOf(key), collector.TimeProvider);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, Allocated(plain));
        Assert.Equal(0, Allocated(limited));
        Assert.Equal(0, Allocated(anthropic));
        Assert.Equal(3999, _reporter.GetRateLimits("openai").Requests!.Remaining);
    }

    [Fact]
    public async Task Concurrent_writers_never_tear_a_kinds_values()
    {
        // Each writer writes limit = remaining = its own number: a torn read would mix two writers' fields.
        var slot = new RateLimitSlot();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(1, 2).Select(n => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                slot.Write(n, n, n, n);
            }
        })).ToArray();

        for (var i = 0; i < 100_000; i++)
        {
            if (slot.TryRead(out var value))
            {
                Assert.True(value.Limit == value.Remaining && value.Remaining == value.ResetUtcTicks && value.ResetUtcTicks == value.ObservedUtcTicks, value.ToString());
            }
        }

        stop.Cancel();
        await Task.WhenAll(writers);
    }
}
