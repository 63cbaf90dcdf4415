using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.IntegrationTests;

public class PrometheusServerTests
{
    [Fact]
    public async Task A_real_prometheus_scrapes_the_app_and_promql_returns_the_reporters_totals()
    {
        var prometheus = ExternalTools.Require("prometheus");
        await using var app = await MonitoringApp.StartAsync();
        await app.SendTrafficAsync(times: 3);
        await using var server = await PrometheusServer.StartAsync(prometheus, "/monitoring/metrics", [app.Address], TestContext.Current.CancellationToken);
        var openai = await server.QueryValueAsync("api_requests_total{api=\"openai\",job=\"app\"}");
        var all = await server.QueryValueAsync("sum(api_requests_total{job=\"app\"})");
        var tokens = await server.QueryValueAsync("sum by (api) (api_tokens_total{api=\"anthropic\"})");

        var cost = await server.QueryValueAsync("sum by (api) (api_cost_usd_total{api=\"openai\"})");

        // The dashboard's spend queries, as Grafana would send them, find the exported series.
        using var dashboard = JsonDocument.Parse(app.Reporter.ExportGrafanaDashboard());
        var spendQueries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Where(e => e.Contains("api_cost_usd_total", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(spendQueries);
        foreach (var query in spendQueries)
        {
            // A series is the check (the traffic came before the scrapes, so the rates themselves are 0).
            Assert.NotNull(await server.WaitForSeriesAsync(query.Replace("$api", ".*", StringComparison.Ordinal).Replace("$__rate_interval", "1m", StringComparison.Ordinal)));
        }

        var reporter = app.Reporter;
        Assert.True(reporter.GetMetricsReport("openai").CostUsd > 0);
        Assert.Equal(reporter.GetMetricsReport("openai").CostUsd!.Value, cost, 9);
        Assert.Equal(reporter.GetMetricsReport("openai").TotalRequests, openai);
        Assert.Equal(reporter.Backends.Sum(b => reporter.GetMetricsReport(b).TotalRequests), all);
        var anthropic = reporter.GetMetricsReport("anthropic").TokenCounts;
        Assert.Equal(anthropic.Prompt + anthropic.Completion, tokens);
    }

    [Fact]
    public async Task Histogram_quantile_over_two_instances_summed_buckets_agrees_with_the_union_of_their_samples()
    {
        var prometheus = ExternalTools.Require("prometheus");
        await using var first = await MonitoringApp.StartAsync();
        await using var second = await MonitoringApp.StartAsync();
        var ct = TestContext.Current.CancellationToken;

        // The second instance's OpenAI is slower, so neither instance alone has the union's distribution.
        second.Server[Simulation.SimulatedApi.OpenAI].Latency = Simulation.LatencyModel.LogNormal(TimeSpan.FromMilliseconds(120), 0.6, seed: 9);
        await Task.WhenAll(OpenAiTrafficAsync(first, 60), OpenAiTrafficAsync(second, 60));

        await using var server = await PrometheusServer.StartAsync(prometheus, "/monitoring/metrics", [first.Address, second.Address], ct);
        var count = await server.QueryValueAsync("sum(api_request_duration_seconds_count{api=\"openai\"}) == 120");
        var p95 = await server.QueryValueAsync("histogram_quantile(0.95, sum by (le) (api_request_duration_seconds_bucket{api=\"openai\"}))");

        var samples = first.Reporter.GetRecentTraces(1000, "openai").Concat(second.Reporter.GetRecentTraces(1000, "openai"))
            .Select(t => t.Latency / 1000).Order().ToArray();
        Assert.Equal(120, samples.Length);
        Assert.Equal(120, count);
        var exact = samples[(int)Math.Ceiling(0.95 * samples.Length) - 1];

        // Prometheus interpolates inside the bucket that holds the 95th sample: the exact value is in that bucket.
        // The documented buckets of api_request_duration_seconds (docs/operations.md).
        double[] bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
        var upper = bounds.First(b => b >= p95);
        var lower = bounds.LastOrDefault(b => b < upper);
        Assert.InRange(exact, lower * 0.99, upper * 1.01);
    }

    private static async Task OpenAiTrafficAsync(MonitoringApp app, int times)
    {
        var client = app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient(MonitoredClients.Name(Simulation.SimulatedApi.OpenAI));
        for (var i = 0; i < times; i++)
        {
            using var request = Simulation.SimulatedRequests.Create(Simulation.SimulatedApi.OpenAI);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        }
    }
}
