using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Reporting;

public sealed class CostTests : IDisposable
{
    // USD per million tokens.
    private static readonly Dictionary<string, ModelPrice> Prices = new(StringComparer.Ordinal)
    {
        ["gpt-4o"] = new() { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25 },
        ["gpt-4o-mini"] = new() { InputPerMillion = 0.15, OutputPerMillion = 0.6 },
        ["gpt-4"] = new() { InputPerMillion = 30, OutputPerMillion = 60 },
        ["claude-sonnet-4"] = new() { InputPerMillion = 3, OutputPerMillion = 15, CachedInputPerMillion = 0.3, CacheWriteInputPerMillion = 3.75 },
        ["claude-haiku-4"] = new() { InputPerMillion = 1, OutputPerMillion = 5, CachedInputPerMillion = 0.1 },
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;
    private readonly BackendKey _openai;
    private readonly BackendKey _plain;

    public CostTests()
    {
        _collector = new MetricsCollector(_time);
        _reporter = new MetricsReporter(_collector);
        _openai = _collector.RegisterBackend("openai", new BackendRegistration { Pricing = Prices });
        _plain = _collector.RegisterBackend("plain");
    }

    public void Dispose() => _collector.Dispose();

    private void Request(BackendKey backend, string model, long prompt, long completion, long cached = 0, bool ok = true, long cacheWrite = 0) =>
        _collector.RecordRequest(new RequestCompleted(backend)
        {
            Latency = TimeSpan.FromMilliseconds(100),
            Succeeded = ok,
            ErrorCategory = ok ? ErrorCategory.None : ErrorCategory.ServiceUnavailable,
            ErrorType = ok ? null : "503",
            Attempts = 1,
            Model = model,
            PromptTokens = prompt,
            CompletionTokens = completion,
            CachedTokens = cached,
            CacheWriteTokens = cacheWrite,
        });

    [Fact]
    public void A_known_token_mix_costs_exactly_its_prices_with_cached_prompt_tokens_priced_apart()
    {
        // 10,000 prompt tokens of which 4,000 cached, 2,000 completion tokens:
        // 6,000 × 2.50 + 4,000 × 1.25 + 2,000 × 10 USD per million = 0.015 + 0.005 + 0.020 = 0.040 USD.
        Request(_openai, "gpt-4o", prompt: 10_000, completion: 2_000, cached: 4_000);
        Request(_openai, "gpt-4o", prompt: 10_000, completion: 2_000, cached: 4_000);

        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal(0.08, report.Models["gpt-4o"].CostUsd!.Value, 12);
        Assert.Equal(0.08, report.CostUsd!.Value, 12);
        Assert.Equal([], report.UnpricedModels!);
        Assert.Equal(0.08, _reporter.GetModelMetrics("openai", "gpt-4o").CostUsd!.Value, 12);
    }

    [Fact]
    public void Cached_tokens_without_a_cached_price_are_priced_as_input()
    {
        // 1,000,000 prompt (200,000 cached) × 0.15 + 100,000 completion × 0.60 = 0.15 + 0.06 = 0.21 USD.
        Request(_openai, "gpt-4o-mini", prompt: 1_000_000, completion: 100_000, cached: 200_000);

        Assert.Equal(0.21, _reporter.GetMetricsReport("openai").CostUsd!.Value, 12);
    }

    [Fact]
    public void Cache_writes_are_priced_at_their_own_price_everywhere_cost_is_shown()
    {
        // 10,000 prompt tokens: 1,000 uncached, 4,000 read from the cache, 5,000 written to it; 2,000 completion tokens:
        // 1,000 × 3 + 4,000 × 0.30 + 5,000 × 3.75 + 2,000 × 15 USD per million = 0.003 + 0.0012 + 0.01875 + 0.03 = 0.05295 USD
        // (0.0492 USD with the cache writes at the input price).
        Request(_openai, "claude-sonnet-4", prompt: 10_000, completion: 2_000, cached: 4_000, cacheWrite: 5_000);

        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal(0.05295, report.Models["claude-sonnet-4"].CostUsd!.Value, 12);
        Assert.Equal(0.05295, report.CostUsd!.Value, 12);
        Assert.Equal(0.05295, report.Windows["1m"].CostUsd!.Value, 12);
        Assert.Equal(0.05295, report.Models["claude-sonnet-4"].Windows["5m"].CostUsd!.Value, 12);
        Assert.Equal(0.05295, _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(1)).CostUsd!.Value, 12);
        var series = Assert.Single(_reporter.GetPrometheusMetrics().Split('\n'), l => l.StartsWith("api_cost_usd_total{", StringComparison.Ordinal));
        Assert.Equal(0.05295, double.Parse(series.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void Cache_writes_without_a_cache_write_price_are_priced_as_input()
    {
        // 6,000 (1,000 uncached + 5,000 written) × 1 + 4,000 × 0.10 + 2,000 × 5 USD per million = 0.006 + 0.0004 + 0.01 = 0.0164 USD.
        Request(_openai, "claude-haiku-4", prompt: 10_000, completion: 2_000, cached: 4_000, cacheWrite: 5_000);

        Assert.Equal(0.0164, _reporter.GetMetricsReport("openai").CostUsd!.Value, 12);
    }

    [Fact]
    public void Cache_writes_beyond_the_prompt_less_its_cache_reads_are_clamped()
    {
        // 1,000 prompt tokens said to hold 600 cache reads and 600 cache writes: 600 × 0.30 + 400 × 3.75 = 0.00168 USD.
        Request(_openai, "claude-sonnet-4", prompt: 1_000, completion: 0, cached: 600, cacheWrite: 600);

        Assert.Equal(0.00168, _reporter.GetMetricsReport("openai").CostUsd!.Value, 12);
    }

    [Fact]
    public void The_longest_configured_prefix_wins_and_an_exact_name_is_its_own_price()
    {
        Request(_openai, "gpt-4o-mini-2024-07-18", prompt: 1_000_000, completion: 0);   // gpt-4o-mini, not gpt-4o nor gpt-4
        Request(_openai, "gpt-4o-2024-08-06", prompt: 1_000_000, completion: 0);        // gpt-4o, not gpt-4
        Request(_openai, "gpt-4-turbo", prompt: 1_000_000, completion: 0);              // gpt-4
        Request(_openai, "gpt-4o", prompt: 0, completion: 1_000_000);                   // exactly gpt-4o

        var models = _reporter.GetMetricsReport("openai").Models;

        Assert.Equal(0.15, models["gpt-4o-mini-2024-07-18"].CostUsd!.Value, 12);
        Assert.Equal(2.5, models["gpt-4o-2024-08-06"].CostUsd!.Value, 12);
        Assert.Equal(30, models["gpt-4-turbo"].CostUsd!.Value, 12);
        Assert.Equal(10, models["gpt-4o"].CostUsd!.Value, 12);
    }

    [Fact]
    public void A_model_without_a_price_adds_nothing_has_no_figure_and_is_listed()
    {
        Request(_openai, "gpt-4o", prompt: 0, completion: 1_000_000);
        Request(_openai, "llama3", prompt: 5_000_000, completion: 5_000_000);
        Request(_openai, "claude-3-haiku", prompt: 1, completion: 1);

        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal(10, report.CostUsd!.Value, 12);
        Assert.Null(report.Models["llama3"].CostUsd);
        Assert.All(report.Models["llama3"].Windows.Values, w => Assert.Null(w.CostUsd));
        Assert.Equal(["claude-3-haiku", "llama3"], report.UnpricedModels!);
        Assert.Contains("(unpriced: claude-3-haiku, llama3)", AsciiReportFormatter.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_price_table_there_are_no_cost_figures_at_all()
    {
        Request(_plain, "gpt-4o", prompt: 1_000, completion: 1_000);

        var report = _reporter.GetMetricsReport("plain");

        Assert.Null(report.CostUsd);
        Assert.Null(report.UnpricedModels);
        Assert.Null(report.Models["gpt-4o"].CostUsd);
        Assert.All(report.Windows.Values, w => Assert.Null(w.CostUsd));
        Assert.All(report.Models["gpt-4o"].Windows.Values, w => Assert.Null(w.CostUsd));
        Assert.Null(_reporter.GetWindowMetrics("plain", TimeSpan.FromMinutes(5)).CostUsd);

        using var json = JsonDocument.Parse(_reporter.GetJsonReport("plain"));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("cost_usd").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("windows").GetProperty("5m").GetProperty("cost_usd").ValueKind);
        Assert.DoesNotContain("api_cost_usd_total", _reporter.GetPrometheusMetrics(), StringComparison.Ordinal);
        Assert.DoesNotContain("Cost", _reporter.GetAsciiReport("plain"), StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_cost_only_what_they_cover_for_the_backend_and_each_model()
    {
        Request(_openai, "gpt-4o", prompt: 0, completion: 100_000);          // 1.00 USD, 2 minutes ago
        _time.Advance(TimeSpan.FromMinutes(2));
        Request(_openai, "gpt-4o", prompt: 0, completion: 10_000);           // 0.10 USD, now
        Request(_openai, "gpt-4o-mini", prompt: 1_000_000, completion: 0);   // 0.15 USD, now
        Request(_openai, "mystery", prompt: 1_000_000, completion: 0);       // unpriced

        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal(1.25, report.CostUsd!.Value, 12);
        Assert.Equal(0.25, report.Windows["1m"].CostUsd!.Value, 12);
        Assert.Equal(1.25, report.Windows["5m"].CostUsd!.Value, 12);
        Assert.Equal(1.25, report.Windows["15m"].CostUsd!.Value, 12);
        Assert.Equal(0.10, report.Models["gpt-4o"].Windows["1m"].CostUsd!.Value, 12);
        Assert.Equal(1.10, report.Models["gpt-4o"].Windows["5m"].CostUsd!.Value, 12);
        Assert.Equal(0.25, _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(1)).CostUsd!.Value, 12);
        Assert.Equal(1.25, _reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(5)).CostUsd!.Value, 12);

        using var json = JsonDocument.Parse(_reporter.GetJsonReport("openai"));
        Assert.Equal(1.25, json.RootElement.GetProperty("cost_usd").GetDouble(), 12);
        Assert.Equal(0.25, json.RootElement.GetProperty("windows").GetProperty("1m").GetProperty("cost_usd").GetDouble(), 12);
        Assert.Equal(0.1, json.RootElement.GetProperty("models").GetProperty("gpt-4o").GetProperty("windows").GetProperty("1m").GetProperty("cost_usd").GetDouble(), 12);
        Assert.Equal("mystery", json.RootElement.GetProperty("unpriced_models")[0].GetString());
    }

    [Fact]
    public void Prometheus_has_a_cost_counter_per_priced_model_only()
    {
        Request(_openai, "gpt-4o", prompt: 10_000, completion: 2_000, cached: 4_000);
        Request(_openai, "llama3", prompt: 10, completion: 10);

        var text = _reporter.GetPrometheusMetrics();

        Assert.Contains("# TYPE api_cost_usd_total counter\n", text, StringComparison.Ordinal);
        var series = Assert.Single(text.Split('\n'), l => l.StartsWith("api_cost_usd_total{", StringComparison.Ordinal));
        Assert.StartsWith("api_cost_usd_total{api=\"openai\",model=\"gpt-4o\"} ", series, StringComparison.Ordinal);
        Assert.Equal(0.04, double.Parse(series.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void The_ascii_report_has_a_cost_line_and_a_recent_cost_row_when_priced()
    {
        Request(_openai, "gpt-4o", prompt: 10_000, completion: 2_000, cached: 4_000);

        var ascii = _reporter.GetAsciiReport("openai");

        Assert.Contains("\n  Cost: 0.0400 USD\n", ascii, StringComparison.Ordinal);
        Assert.Contains("\n  Cost USD:             0.0400       0.0400", ascii, StringComparison.Ordinal);
    }

    [Fact]
    public void A_price_table_registered_again_is_matched_anew()
    {
        Request(_openai, "gpt-4o", prompt: 0, completion: 1_000_000);
        Assert.Equal(10, _reporter.GetMetricsReport("openai").CostUsd!.Value, 12);

        _collector.RegisterBackend("openai", new BackendRegistration
        {
            Pricing = new Dictionary<string, ModelPrice> { ["gpt"] = new() { InputPerMillion = 1, OutputPerMillion = 2 } },
        });

        Assert.Equal(2, _reporter.GetMetricsReport("openai").CostUsd!.Value, 12);
    }

    [Fact]
    public void The_options_price_table_is_copied_into_the_registration()
    {
        var options = new ApiMonitoringOptions { BackendName = "x" };
        options.Pricing["gpt-4o"] = new ModelPrice { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25, CacheWriteInputPerMillion = 3.125 };

        var registration = options.ToRegistration();
        options.Pricing["gpt-4o"].InputPerMillion = 99;

        var copy = registration.Pricing!["gpt-4o"];
        Assert.Equal((2.5, 10d, 1.25, 3.125), (copy.InputPerMillion, copy.OutputPerMillion, copy.CachedInputPerMillion, copy.CacheWriteInputPerMillion));
        Assert.Null(new ApiMonitoringOptions().ToRegistration().Pricing);
    }
}
