using System.Text.Json;

namespace Resilience.Metrics.Tests.Reporting;

public sealed class JsonReportFormatterTests
{
    // Every key the guide's get_metrics_report has, as paths of property names (dictionary keys included).
    public static TheoryData<string> GuideKeyPaths =>
    [
        "api_name", "timestamp", "uptime_seconds", "total_requests", "success_rate",
        "latency/avg_latency", "latency/min_latency", "latency/max_latency",
        "latency/percentiles/50", "latency/percentiles/90", "latency/percentiles/95", "latency/percentiles/99",
        "queue/current_queue_size", "queue/active_requests", "queue/avg_queue_time_ms", "queue/avg_queue_length",
        "queue/max_queue_length", "queue/queue_rejection_count",
        "circuit_breaker/current_state", "circuit_breaker/failure_count", "circuit_breaker/failure_threshold",
        "circuit_breaker/open_circuit_count", "circuit_breaker/state_time_seconds/CLOSED",
        "circuit_breaker/state_time_seconds/OPEN", "circuit_breaker/state_time_seconds/HALF-OPEN",
        "circuit_breaker/uptime_percentage",
        "errors/error_rate", "errors/total_errors", "errors/error_types/429", "errors/error_categories/rate_limiting",
        "errors/error_categories/authentication", "errors/error_categories/invalid_request",
        "errors/error_categories/service_unavailable", "errors/error_categories/timeout",
        "errors/error_categories/network", "errors/error_categories/unexpected", "errors/most_common_error",
        "throughput/requests_per_second", "throughput/total_requests_in_window", "throughput/time_window_seconds",
        "throughput/token_throughput/tokens_per_second", "throughput/token_throughput/prompt_tokens_per_second",
        "throughput/token_throughput/completion_tokens_per_second",
        "models/gpt-4o/requests", "models/gpt-4o/successes", "models/gpt-4o/failures",
        "models/gpt-4o/success_rate", "models/gpt-4o/avg_latency",
    ];

    [Theory]
    [MemberData(nameof(GuideKeyPaths))]
    public void Format_HasTheGuidesKey(string path)
    {
        using var document = JsonDocument.Parse(JsonReportFormatter.Format(ReportSamples.Create()));

        Assert.True(TryWalk(document.RootElement, path, out _), $"missing key path {path}");
    }

    [Fact]
    public void Format_WritesTheRecordsValuesUnderTheGuidesKeys()
    {
        using var document = JsonDocument.Parse(JsonReportFormatter.Format(ReportSamples.Create()));
        var root = document.RootElement;

        Assert.Equal("openai", Walk(root, "api_name").GetString());
        Assert.Equal(1_700_000_000.25, Walk(root, "timestamp").GetDouble());
        Assert.Equal(1000, Walk(root, "total_requests").GetInt64());
        Assert.Equal(1900.5, Walk(root, "latency/percentiles/95").GetDouble());
        Assert.Equal(12.5, Walk(root, "queue/avg_queue_time_ms").GetDouble());
        Assert.Equal(60, Walk(root, "circuit_breaker/state_time_seconds/OPEN").GetDouble());
        Assert.Equal("CLOSED", Walk(root, "circuit_breaker/current_state").GetString());
        Assert.Equal(15, Walk(root, "errors/error_categories/network").GetInt64());
        Assert.Equal("429", Walk(root, "errors/most_common_error").GetString());
        Assert.Equal(700.25, Walk(root, "throughput/token_throughput/tokens_per_second").GetDouble());
        Assert.Equal(905.4321, Walk(root, "models/gpt-4o/avg_latency").GetDouble());
        Assert.Equal("HALF-OPEN", Walk(root, "circuit_breaker/state_changes").EnumerateArray().ElementAt(1).GetProperty("state").GetString());
    }

    [Fact]
    public void Format_RecordPropertiesAreSnakeCase_AddedKeysIncluded()
    {
        using var document = JsonDocument.Parse(JsonReportFormatter.Format(ReportSamples.Create()));
        var root = document.RootElement;

        Assert.Equal(
            ["timestamp", "api_name", "uptime_seconds", "total_requests", "successes", "failures", "timeouts", "retries",
             "retry_attempts", "success_rate", "token_counts", "latency", "queue", "circuit_breaker", "errors",
             "throughput", "models", "monitoring_errors", "rate_limits", "cost_usd", "unpriced_models", "windows"],
            Names(root));
        Assert.Equal(["prompt", "completion", "cached", "reasoning", "cache_write"], Names(Walk(root, "token_counts")));
        Assert.Equal(["avg_latency", "min_latency", "max_latency", "percentiles", "count", "time_to_first_byte"], Names(Walk(root, "latency")));
        Assert.Equal(
            ["current_queue_size", "active_requests", "avg_queue_time_ms", "avg_queue_length", "max_queue_length", "queue_rejection_count"],
            Names(Walk(root, "queue")));
        Assert.Equal(
            ["current_state", "failure_count", "failure_threshold", "open_circuit_count", "state_time_seconds", "uptime_percentage", "state_changes"],
            Names(Walk(root, "circuit_breaker")));
        Assert.Equal(["error_rate", "total_errors", "error_types", "error_categories", "most_common_error"], Names(Walk(root, "errors")));
        Assert.Equal(["requests_per_second", "total_requests_in_window", "time_window_seconds", "token_throughput"], Names(Walk(root, "throughput")));
        Assert.Equal(
            ["requests", "successes", "failures", "success_rate", "avg_latency", "retries", "token_counts", "percentiles", "response_models", "cost_usd", "windows"],
            Names(Walk(root, "models/gpt-4o-mini")));
    }

    [Fact]
    public void Format_WritesDictionaryKeysAsTheyAre()
    {
        var sample = ReportSamples.Create(models: new Dictionary<string, ModelMetrics>
        {
            ["GPT-4o_Mini"] = ReportSamples.Model(1, 1, 1),
            ["llama3.1:8b-ü-模型"] = ReportSamples.Model(1, 0, 1),
        });
        var report = sample with
        {
            Latency = sample.Latency with { Percentiles = new Dictionary<string, double> { ["99.9"] = 1, ["50"] = 2 } },
            Errors = sample.Errors with { ErrorTypes = new Dictionary<string, long> { ["HttpRequestException"] = 1 } },
        };

        using var document = JsonDocument.Parse(JsonReportFormatter.Format(report));
        var root = document.RootElement;

        Assert.Equal(["99.9", "50"], Names(Walk(root, "latency/percentiles")));
        Assert.Equal(["CLOSED", "OPEN", "HALF-OPEN"], Names(Walk(root, "circuit_breaker/state_time_seconds")));
        Assert.Equal(["HttpRequestException"], Names(Walk(root, "errors/error_types")));
        Assert.Equal(["GPT-4o_Mini", "llama3.1:8b-ü-模型"], Names(Walk(root, "models")));
    }

    [Fact]
    public void Format_NullsStayNull()
    {
        var sample = ReportSamples.Create(models: new Dictionary<string, ModelMetrics>
        {
            ["m"] = ReportSamples.Model(1, 1, 1) with { Percentiles = null },
        });
        var report = sample with { Errors = sample.Errors with { MostCommonError = null } };

        using var document = JsonDocument.Parse(JsonReportFormatter.Format(report));

        Assert.Equal(JsonValueKind.Null, Walk(document.RootElement, "errors/most_common_error").ValueKind);
        Assert.Equal(JsonValueKind.Null, Walk(document.RootElement, "models/m/percentiles").ValueKind);
    }

    [Fact]
    public void Format_NonFiniteDoubles_AreWrittenAsZero()
    {
        var text = JsonReportFormatter.Format(ReportSamples.NonFinite());

        Assert.DoesNotContain("NaN", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Infinity", text, StringComparison.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        string[] zeroPaths =
        [
            "uptime_seconds", "success_rate", "latency/avg_latency", "latency/min_latency", "latency/max_latency",
            "latency/percentiles/50", "latency/percentiles/95", "latency/percentiles/99", "queue/avg_queue_time_ms",
            "queue/avg_queue_length", "circuit_breaker/uptime_percentage", "circuit_breaker/state_time_seconds/CLOSED",
            "circuit_breaker/state_time_seconds/OPEN", "errors/error_rate", "throughput/requests_per_second",
            "throughput/time_window_seconds", "throughput/token_throughput/tokens_per_second",
            "throughput/token_throughput/prompt_tokens_per_second", "throughput/token_throughput/completion_tokens_per_second",
            "models/m/success_rate", "models/m/avg_latency", "models/m/percentiles/50",
        ];
        Assert.All(zeroPaths, path => Assert.Equal(0d, Walk(root, path).GetDouble()));
    }

    [Fact]
    public void Format_IsIndentedWithLineFeeds()
    {
        var text = JsonReportFormatter.Format(ReportSamples.Create());

        Assert.StartsWith("{\n  \"timestamp\": 1700000000.25,\n  \"api_name\": \"openai\",\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void Format_AllBackends_IsAnObjectKeyedByApiNameInOrder()
    {
        MetricsReport[] reports = [ReportSamples.Create("openai"), ReportSamples.Create("anthropic"), ReportSamples.Create("ollama \"local\"")];

        var text = JsonReportFormatter.Format(reports);

        Assert.DoesNotContain('\r', text);
        using var document = JsonDocument.Parse(text);
        Assert.Equal(["openai", "anthropic", "ollama \"local\""], Names(document.RootElement));
        foreach (var report in reports)
        {
            using var single = JsonDocument.Parse(JsonReportFormatter.Format(report));
            var embedded = document.RootElement.GetProperty(report.Backend);
            Assert.True(JsonElement.DeepEquals(single.RootElement, embedded), $"{report.Backend} differs from its single report");
            Assert.Equal(report.Backend, embedded.GetProperty("api_name").GetString());
        }
    }

    [Fact]
    public void Format_AllBackends_NoReports_IsAnEmptyObject()
    {
        using var document = JsonDocument.Parse(JsonReportFormatter.Format(Array.Empty<MetricsReport>()));

        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Empty(document.RootElement.EnumerateObject());
    }

    [Fact]
    public void Format_AllBackends_DuplicateApiNames_Throw()
    {
        MetricsReport[] reports = [ReportSamples.Create("openai"), ReportSamples.Create("groq"), ReportSamples.Create("openai")];

        var error = Assert.Throws<ArgumentException>(() => JsonReportFormatter.Format(reports));

        Assert.Equal("reports", error.ParamName);
        Assert.Contains("'openai'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Times_are_written_as_unix_seconds_exactly_as_the_doubles_were()
    {
        HistorySample Sample(DateTimeOffset time) => new() { Timestamp = time, Percentiles = new Dictionary<string, double>() };
        (string, IReadOnlyList<HistorySample>)[] history =
        [
            ("b", [
                Sample(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250)),
                Sample(DateTimeOffset.UnixEpoch.AddTicks(17_961_234_561_234_567).ToOffset(TimeSpan.FromHours(2))),
                Sample(DateTimeOffset.UnixEpoch),
            ]),
        ];

        Assert.Equal(
            "{\"b\":[" +
            "{\"timestamp\":1700000000.25,\"total_requests\":0,\"successes\":0,\"failures\":0,\"tokens\":0,\"percentiles\":{}}," +
            "{\"timestamp\":1796123456.1234567,\"total_requests\":0,\"successes\":0,\"failures\":0,\"tokens\":0,\"percentiles\":{}}," +
            "{\"timestamp\":0,\"total_requests\":0,\"successes\":0,\"failures\":0,\"tokens\":0,\"percentiles\":{}}]}",
            JsonReportFormatter.Format(history));
    }

    [Fact]
    public void A_time_cut_to_the_millisecond_writes_the_number_the_report_wrote_before()
    {
        // Before: ToUnixTimeMilliseconds() / 1000.0 (report, circuit changes); now ticks / 10^7 of the cut time. The two
        // are the same double while a whole millisecond's ticks are exact in one (below 2^57 ticks from 1970: 1514 to 2426).
        var (from, to) = (new DateTimeOffset(1600, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, new DateTimeOffset(2400, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks);
        var random = new Random(15);
        for (var i = 0; i < 100_000; i++)
        {
            var time = new DateTimeOffset(random.NextInt64(from, to), TimeSpan.Zero);
            var before = time.ToUnixTimeMilliseconds() / 1000.0;
            Assert.Equal(before, UnixSecondsJsonConverter.ToUnixSeconds(UnixSecondsJsonConverter.ToMilliseconds(time)));
        }
    }

    [Fact]
    public void A_rate_limit_time_writes_the_number_it_wrote_before()
    {
        // Before: (ObservedUtcTicks - UnixEpoch.Ticks) / (double)TicksPerSecond, to the tick.
        var random = new Random(15);
        for (var i = 0; i < 100_000; i++)
        {
            var ticks = random.NextInt64(DateTime.UnixEpoch.Ticks, DateTime.MaxValue.Ticks);
            var before = (ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;
            Assert.Equal(before, UnixSecondsJsonConverter.ToUnixSeconds(new DateTimeOffset(ticks, TimeSpan.Zero)));
        }
    }

    [Fact]
    public void A_record_built_without_a_time_writes_0_as_before()
    {
        var sample = ReportSamples.Create();
        var report = new MetricsReport
        {
            Backend = "b", TokenCounts = sample.TokenCounts, Latency = sample.Latency, Queue = sample.Queue, CircuitBreaker = sample.CircuitBreaker,
            Errors = sample.Errors, Throughput = sample.Throughput, Models = sample.Models,
            RateLimits = new RateLimitsReport { Requests = new RateLimitMetrics { Limit = 1 } },
        };

        using var document = JsonDocument.Parse(JsonReportFormatter.Format(report));

        Assert.Equal("0", Walk(document.RootElement, "timestamp").GetRawText());
        Assert.Equal("0", Walk(document.RootElement, "rate_limits/requests/observed_at").GetRawText());
        Assert.Contains("\"timestamp\":0,", JsonReportFormatter.Format([("b", (IReadOnlyList<HistorySample>)[new HistorySample { Percentiles = new Dictionary<string, double>() }])]), StringComparison.Ordinal);
    }

    [Fact]
    public void Circuit_states_are_written_by_their_report_names()
    {
        var sample = ReportSamples.Create();
        var report = sample with
        {
            CircuitBreaker = sample.CircuitBreaker with
            {
                CurrentState = CircuitState.HalfOpen,
                StateChanges = [new CircuitStateChange(CircuitState.Open, DateTimeOffset.FromUnixTimeSeconds(1)), new CircuitStateChange(CircuitState.Closed, DateTimeOffset.FromUnixTimeSeconds(2))],
            },
        };

        var text = JsonReportFormatter.Format(report);

        Assert.Contains("\"current_state\": \"HALF-OPEN\",", text, StringComparison.Ordinal);
        Assert.Contains("\"state\": \"OPEN\",\n        \"timestamp\": 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\"state\": \"CLOSED\",\n        \"timestamp\": 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_converters_read_back_what_they_wrote()
    {
        var text = JsonReportFormatter.Format(ReportSamples.WithRateLimits());

        var read = JsonSerializer.Deserialize(text, ReportJsonContext.Default.MetricsReport)!;

        Assert.Equal(text, JsonReportFormatter.Format(read));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(16_999_999_991_234_567), read.RateLimits.Requests!.ObservedAt);
        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], read.CircuitBreaker.StateChanges.Select(c => c.State));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(text.Replace("\"HALF-OPEN\",", "\"AJAR\",", StringComparison.Ordinal), ReportJsonContext.Default.MetricsReport));
    }

    private static JsonElement Walk(JsonElement element, string path) =>
        TryWalk(element, path, out var found) ? found : throw new KeyNotFoundException(path);

    private static bool TryWalk(JsonElement element, string path, out JsonElement found)
    {
        found = element;
        foreach (var name in path.Split('/'))
        {
            if (found.ValueKind != JsonValueKind.Object || !found.TryGetProperty(name, out found))
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
