using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Resilience.Metrics.Tests.Support;

namespace Resilience.Metrics.Tests.Docs;

public partial class GuideExamplesTests
{
    [Fact]
    public async Task The_collecting_example_counts_the_request_its_model_and_tokens()
    {
        var report = await GuideExamples.CollectingMetrics(new OpenAiLikeHandler());

        Assert.Equal(1, report.TotalRequests);
        Assert.Equal(new TokenCounts(9, 12), report.TokenCounts);
        Assert.Equal(["gpt-4o-mini"], report.Models.Keys);
    }

    [Fact]
    public async Task The_tracing_example_finds_the_trace()
    {
        var trace = await GuideExamples.Tracing(new OpenAiLikeHandler());

        Assert.NotNull(trace);
        Assert.True(trace.Success);
        Assert.Equal("anthropic", trace.Backend);
    }

    [Fact]
    public async Task The_report_examples_run_against_a_backend_with_traffic()
    {
        using var collector = new MetricsCollector();
        var reporter = new MetricsReporter(collector);
        var key = collector.RegisterBackend("openai");
        collector.RecordRequest(new RequestCompleted(key) { Succeeded = false, ErrorCategory = ErrorCategory.RateLimiting, ErrorType = "429", Latency = TimeSpan.FromMilliseconds(10) });

        Assert.Equal("429", GuideExamples.Errors(reporter).MostCommonError);
        var performance = GuideExamples.Performance(reporter);
        Assert.Equal(1, performance.Latency.Count);
        Assert.Equal(10, performance.P95, 0.1);                    // the one 10 ms request, within 1 %
        Assert.Equal(10, performance.LastTenSeconds.TimeWindowSeconds);
        Assert.Equal(0, performance.TokensPerSecond);              // no tokens were recorded
        Assert.Equal(CircuitState.Closed, GuideExamples.QueueAndCircuit(reporter).Item2.CurrentState);
        var (ascii, json, prometheus) = GuideExamples.Reports(reporter);
        Assert.StartsWith("=== openai Metrics Report ===", ascii);
        Assert.Contains("\"api_name\": \"openai\"", json);
        Assert.Contains("api_requests_total{api=\"openai\"} 1", prometheus);
        Assert.Equal(0, reporter.GetMetricsReport("openai").TotalRequests);
        Assert.Equal(1, (await GuideExamples.PlainPipeline()).TotalRequests);
    }

    [Fact]
    public void The_windows_example_reads_the_last_five_minutes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var collector = new MetricsCollector(time);
        var reporter = new MetricsReporter(collector);
        var key = collector.RegisterBackend("openai");
        collector.RecordRequest(new RequestCompleted(key) { Succeeded = false, ErrorCategory = ErrorCategory.RateLimiting, ErrorType = "429", Latency = TimeSpan.FromMilliseconds(20) });
        collector.RecordRequest(new RequestCompleted(key) { Succeeded = true, Latency = TimeSpan.FromMilliseconds(40) });
        time.Advance(TimeSpan.FromSeconds(10));   // the requests' 5 s slice is complete

        var recent = GuideExamples.Windows(reporter);

        Assert.Equal((2L, 1L), (recent.Requests, recent.Failures));
        Assert.Equal(0.5, recent.ErrorRate, 6);
        Assert.Equal(40, recent.Percentiles["95"], 0.4);   // within 1 %
    }

    [Fact]
    public async Task The_pricing_example_costs_the_responses_tokens()
    {
        // OpenAiLikeHandler's usage: 9 prompt and 12 completion tokens; 9 × 0.15 + 12 × 0.6 = 8.55 USD per million.
        var report = await GuideExamples.Spend(new OpenAiLikeHandler());

        Assert.Equal(8.55e-6, report.CostUsd!.Value, 15);
    }

    [Fact]
    public async Task The_priority_example_sends_the_request()
    {
        using var client = new HttpClient(new OpenAiLikeHandler()) { BaseAddress = new Uri("https://api.openai.com/") };
        Assert.Equal(OpenAiLikeHandler.Body, await GuideExamples.Priority(client));
    }

    [Fact]
    public async Task The_own_collector_example_gets_each_request_beside_the_reports()
    {
        var (audit, report) = await GuideExamples.OwnCollector(new OpenAiLikeHandler());

        var line = Assert.Single(audit.Lines);
        Assert.StartsWith("openai gpt-4o-mini ok ", line, StringComparison.Ordinal);
        Assert.Equal(1, report.TotalRequests);
    }

    [Fact]
    public void The_guide_quotes_every_example_verbatim()
    {
        var source = File.ReadAllText(RepositoryRoot.Combine("tests", "Resilience.Metrics.Tests", "Docs", "GuideExamples.cs"));
        var guide = Normalize(File.ReadAllText(RepositoryRoot.Combine("docs", "guide.md")));
        var examples = Example().Matches(source);

        Assert.True(examples.Count >= 8);
        foreach (Match example in examples)
        {
            var code = Normalize(example.Groups["code"].Value);
            Assert.True(guide.Contains(code, StringComparison.Ordinal), $"docs/guide.md does not quote example '{example.Groups["name"].Value}':\n{code}");
        }
    }

    // Indentation differs between the file and the guide: compare line by line, trimmed.
    private static string Normalize(string text) =>
        string.Join('\n', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex(@"// example: (?<name>[\w-]+)\r?\n(?<code>.*?)\r?\n\s*// end", RegexOptions.Singleline)]
    private static partial Regex Example();
}
