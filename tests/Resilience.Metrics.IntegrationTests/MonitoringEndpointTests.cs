using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.IntegrationTests;

public partial class MonitoringEndpointTests
{
    [Fact]
    public async Task The_endpoints_serve_metrics_reports_traces_and_the_dashboard()
    {
        await using var app = await MonitoringApp.StartAsync();
        await app.SendTrafficAsync(times: 2);
        var ct = TestContext.Current.CancellationToken;

        using var metrics = await app.Http.GetAsync("/monitoring/metrics", ct);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
        var text = await metrics.Content.ReadAsStringAsync(ct);
        Assert.Contains("api_requests_total{api=\"openai\"} 2", text);
        Assert.Contains("api_requests_total{api=\"s3\"} 2", text);

        using var all = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/report", ct));
        Assert.Equal(11, all.RootElement.EnumerateObject().Count());
        Assert.Equal(2, all.RootElement.GetProperty("anthropic").GetProperty("total_requests").GetInt64());

        using var one = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/report/gemini", ct));
        Assert.Equal("gemini", one.RootElement.GetProperty("api_name").GetString());
        Assert.True(one.RootElement.GetProperty("latency").GetProperty("percentiles").GetProperty("95").GetDouble() > 0);

        var ascii = await app.Http.GetStringAsync("/monitoring/report/ollama.txt", ct);
        Assert.StartsWith("=== ollama Metrics Report ===", ascii);

        using var unknown = await app.Http.GetAsync("/monitoring/report/nope", ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var traces = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/traces?limit=5&backend=openai", ct));
        Assert.Equal(2, traces.RootElement.GetArrayLength());
        Assert.Equal("openai", traces.RootElement[0].GetProperty("backend").GetString());
        Assert.Matches("^[0-9a-f]{32}$", traces.RootElement[0].GetProperty("trace_id").GetString());

        using var badLimit = await app.Http.GetAsync("/monitoring/traces?limit=-1", ct);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);

        using var dashboard = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/grafana-dashboard.json", ct));
        Assert.Equal("resilience-metrics", dashboard.RootElement.GetProperty("uid").GetString());

        using var rules = await app.Http.GetAsync("/monitoring/alert-rules.yml", ct);
        Assert.Equal(HttpStatusCode.OK, rules.StatusCode);
        var yaml = await rules.Content.ReadAsStringAsync(ct);
        Assert.Contains("rate(api_failures_total[5m])", yaml);
        Assert.Contains("ApiCircuitOpen", yaml);
    }

    [Fact]
    public async Task Every_metric_the_grafana_dashboard_queries_is_in_a_scrape_of_a_running_app()
    {
        await using var app = await MonitoringApp.StartAsync();
        await app.SendTrafficAsync();
        var ct = TestContext.Current.CancellationToken;
        var scrape = await app.Http.GetStringAsync("/monitoring/metrics", ct);
        // A histogram's series are its name with _bucket, _sum and _count.
        var families = TypeLine().Matches(scrape).Select(m => m.Groups[1].Value)
            .SelectMany(name => scrape.Contains($"# TYPE {name} histogram\n", StringComparison.Ordinal) ? [name + "_bucket", name + "_sum", name + "_count"] : new[] { name })
            .ToHashSet();

        using var dashboard = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/grafana-dashboard.json", ct));
        var used = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value))
            .ToHashSet();

        Assert.True(used.Count >= 10);
        Assert.All(used, name => Assert.Contains(name, families));
    }

    [Fact]
    public async Task The_scrape_passes_promtool_with_lint_findings_only_for_the_guides_millisecond_families()
    {
        var promtool = ExternalTools.Require("promtool");
        await using var app = await MonitoringApp.StartAsync();
        await app.SendTrafficAsync();
        var scrape = await app.Http.GetStringAsync("/monitoring/metrics", TestContext.Current.CancellationToken);

        var (exitCode, output) = await ExternalTools.RunAsync(promtool, "check metrics", scrape);

        Assert.True(exitCode is 0 or 3, output);
        Assert.DoesNotContain("error", output, StringComparison.OrdinalIgnoreCase);
        var findings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(findings, line => Assert.Matches("^api_(model_)?latency_milliseconds ", line));
    }

    [Fact]
    public async Task The_health_check_follows_the_circuits()
    {
        await using var app = await MonitoringApp.StartAsync(b => b.Services.Configure<ApiMonitoringOptions>("groq", o =>
        {
            o.Retry.Enabled = false;
            o.CircuitBreaker.FailureThreshold = 2;
        }));
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("Healthy", await app.Http.GetStringAsync("/health", ct));

        app.Server[SimulatedApi.Groq].Enqueue(SimulatedFault.Status(500), SimulatedFault.Status(500));
        var groq = app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("groq");
        for (var i = 0; i < 2; i++)
        {
            using var request = SimulatedRequests.Create(SimulatedApi.Groq);
            (await groq.SendAsync(request, ct)).Dispose();
        }

        // An open circuit alone degrades the app (200 by default), it does not fail it.
        using var health = await app.Http.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task The_endpoints_can_require_authorization()
    {
        await using var app = await MonitoringApp.StartAsync(
            b =>
            {
                b.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Test", null);
                b.Services.AddAuthorization();
            },
            a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapApiMonitoring().RequireAuthorization();
            });
        var ct = TestContext.Current.CancellationToken;

        using var anonymous = await app.Http.GetAsync("/monitoring/metrics", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/monitoring/metrics");
        request.Headers.Add(HeaderAuthenticationHandler.Header, "operator");
        using var authorized = await app.Http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Retries_and_circuit_transitions_of_the_standard_resilience_handler_are_reported()
    {
        await using var server = await SimulatedBackendServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var services = new ServiceCollection();
        services.AddApiMonitoring();
        // Monitor only, beside the standard handler: its retries and breaker are that client's own, read by name.
        services.AddHttpClient("standard", c => c.BaseAddress = server.BaseAddressOf(SimulatedApi.OpenAI))
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.Delay = TimeSpan.Zero;
                o.Retry.UseJitter = false;
                o.CircuitBreaker.MinimumThroughput = 2;
                o.CircuitBreaker.FailureRatio = 0.5;
            });
        services.AddHttpClient("standard").AddApiMonitoring(o => o.Resilience = ApiResilience.None);

        // A client with the standard handler and no monitoring is none of the monitoring's business.
        services.AddHttpClient("unmonitored", c => c.BaseAddress = server.BaseAddressOf(SimulatedApi.OpenAI))
            .AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.Zero);
        await using var provider = services.BuildServiceProvider();
        server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.Status(503), SimulatedFault.Status(503), SimulatedFault.Status(503), SimulatedFault.Status(503));
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("standard");

        try
        {
            using var request = SimulatedRequests.Create(SimulatedApi.OpenAI);
            (await client.SendAsync(request, TestContext.Current.CancellationToken)).Dispose();
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            // The breaker opened during the retries.
        }

        server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.Status(503), SimulatedFault.Status(503));
        using (var request = SimulatedRequests.Create(SimulatedApi.OpenAI))
        {
            (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("unmonitored").SendAsync(request, TestContext.Current.CancellationToken)).Dispose();
        }

        var reporter = provider.GetRequiredService<IMetricsReporter>();
        Assert.Equal(["standard"], reporter.Backends);
        var report = reporter.GetMetricsReport("standard");
        Assert.Equal(1, report.TotalRequests);
        Assert.True(report.RetryAttempts >= 1);
        Assert.Equal(1, report.Retries);
        Assert.True(report.Errors.ErrorCategories["service_unavailable"] >= 1);
        Assert.Equal(CircuitState.Open, report.CircuitBreaker.CurrentState);
        Assert.Equal(1, report.CircuitBreaker.OpenCircuitCount);
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\bapi_[a-z_]+\b")]
    private static partial Regex MetricName();
}
