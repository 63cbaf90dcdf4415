using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>
/// The meter's instruments of every app in this process that lives at the same time reach one MeterProvider, and
/// disposing any of them ends the export of the merged streams: this test runs alone.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class OpenTelemetryExportTests;

[Collection(typeof(OpenTelemetryExportTests))]
public class OpenTelemetryDashboardTests
{
    [Fact]
    public async Task Every_query_of_the_opentelemetry_dashboard_returns_series_from_a_real_prometheus_scraping_the_exporter()
    {
        var prometheus = ExternalTools.Require("prometheus");
        var ct = TestContext.Current.CancellationToken;
        await using var server = await SimulatedBackendServer.StartAsync(cancellationToken: ct);
        await using var app = await StartAppAsync(server);
        using var http = new HttpClient { BaseAddress = app.Address };
        await SendTrafficAsync(app.Application.Services, server);

        var dashboard = await http.GetStringAsync("/monitoring/grafana-dashboard.json?source=opentelemetry", ct);
        var (queries, variables) = QueriesOf(dashboard);
        Assert.True(queries.Count >= 20, $"only {queries.Count} queries");

        // (b) Every metric a query names is in the exporter's own text.
        var exposition = await http.GetStringAsync("/metrics", ct);
        var names = queries.Concat(variables).SelectMany(MetricNames).Distinct().ToList();
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Matches(new Regex("(?m)^" + Regex.Escape(name) + "[{ ]"), exposition));

        // (a) A real Prometheus scrapes the exporter; every query, with Grafana's variables filled in, returns a series.
        await using var promql = await PrometheusServer.StartAsync(prometheus, "/metrics", [app.Address], ct);
        var empty = new List<string>();
        foreach (var query in queries.Select(Fill).Concat(variables.Select(LabelValuesAsQuery)))
        {
            if (await promql.WaitForSeriesAsync(query) is null)
            {
                empty.Add(query);
            }
        }

        Assert.True(empty.Count == 0, "No series for:\n" + string.Join("\n", empty) + "\n\nThe exporter wrote:\n" + exposition);

        // The circuit panels' 0/1/2: gemini's circuit opened (HALF-OPEN once its 30 s break has elapsed), openai's is closed.
        var circuit = Fill(queries.First(q => q.StartsWith("max by (api_backend) (api_client_circuit_state", StringComparison.Ordinal)));
        var states = await ValuesByBackendAsync(promql.Http, circuit);
        Assert.Contains(states["gemini"], new[] { 1.0, 2.0 });
        Assert.Equal(0, states["openai"]);
    }

    [Fact]
    public async Task The_dashboard_endpoint_serves_either_source_and_rejects_an_unknown_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await MonitoringApp.StartAsync();

        using var monitoring = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/grafana-dashboard.json?source=apimonitoring", ct));
        using var otel = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/grafana-dashboard.json?source=OpenTelemetry", ct));
        Assert.Equal("resilience-metrics", monitoring.RootElement.GetProperty("uid").GetString());
        Assert.Equal("resilience-metrics-otel", otel.RootElement.GetProperty("uid").GetString());

        using var unknown = await app.Http.GetAsync("/monitoring/grafana-dashboard.json?source=1", ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    private sealed record OtelApp(WebApplication Application, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Application.StopAsync();
            await Application.DisposeAsync();
        }
    }

    private static async Task<OtelApp> StartAppAsync(SimulatedBackendServer server)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        foreach (var api in server.Apis)
        {
            builder.Services.AddHttpClient(MonitoredClients.Name(api), c => c.BaseAddress = server.BaseAddressOf(api))
                .AddApiMonitoring(o =>
                {
                    o.ApiFormat = MonitoredClients.Format(api);
                    o.Retry.InitialRetryDelay = TimeSpan.Zero;
                    if (api == SimulatedApi.Gemini)
                    {
                        // Three failures open the circuit: failures by category and a transition.
                        o.Retry.Enabled = false;
                        o.CircuitBreaker.FailureThreshold = 3;
                    }
                    else if (api == SimulatedApi.HuggingFaceTgi)
                    {
                        // One in flight, one waiting: a third request is rejected.
                        o.Queue.MaxConcurrentRequests = 1;
                        o.Queue.QueueSize = 1;
                    }
                });
        }

        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddApiMonitoringInstrumentation().AddPrometheusExporter());
        var app = builder.Build();
        app.MapApiMonitoring();
        app.MapPrometheusScrapingEndpoint();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new OtelApp(app, new Uri(address));
    }

    private static async Task SendTrafficAsync(IServiceProvider services, SimulatedBackendServer server)
    {
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var reporter = services.GetRequiredService<IMetricsReporter>();

        async Task<HttpStatusCode> Send(SimulatedApi api, bool stream = false)
        {
            using var request = SimulatedRequests.Create(api, stream: stream);
            using var response = await factory.CreateClient(MonitoredClients.Name(api)).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        // Failures in a row that open a circuit (a success among them would keep it closed).
        server[SimulatedApi.Gemini].Enqueue(SimulatedFault.Status(503), SimulatedFault.Status(503), SimulatedFault.Status(503));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await Send(SimulatedApi.Gemini));
        }

        Assert.Equal(CircuitState.Open, reporter.GetCircuitBreakerMetrics("gemini").CurrentState);

        foreach (var api in server.Apis.Where(a => a != SimulatedApi.Gemini))
        {
            await Send(api);
            await Send(api);
        }

        // A streamed response (time to first chunk) and a retried one.
        await Send(SimulatedApi.OpenAI, stream: true);
        server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.Status(503));
        Assert.Equal(HttpStatusCode.OK, await Send(SimulatedApi.OpenAI));
        Assert.True(reporter.GetMetricsReport("openai").RetryAttempts > 0);

        // A full queue rejects. The holder keeps the only slot long enough for a slow machine to queue the second.
        server[SimulatedApi.HuggingFaceTgi].Enqueue(SimulatedFault.Delay(TimeSpan.FromSeconds(3)));
        var holder = Send(SimulatedApi.HuggingFaceTgi);
        await WaitUntilAsync(() => reporter.GetQueueMetrics("tgi").ActiveRequests == 1);
        var waiting = Send(SimulatedApi.HuggingFaceTgi);
        await WaitUntilAsync(() => reporter.GetQueueMetrics("tgi").CurrentQueueSize == 1);
        await Assert.ThrowsAsync<QueueRejectedException>(() => Send(SimulatedApi.HuggingFaceTgi));
        await holder;
        await waiting;
    }

    private static (List<string> Queries, List<string> Variables) QueriesOf(string dashboard)
    {
        using var document = JsonDocument.Parse(dashboard);
        var queries = document.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        var variables = document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(v => v.GetProperty("type").GetString() == "query")
            .Select(v => v.GetProperty("query").GetString()!)
            .ToList();
        return (queries, variables);
    }

    // Grafana's values for "All" and the intervals (a 1 s scrape: a minute holds many samples).
    private static string Fill(string query) => query
        .Replace("$backend", ".*", StringComparison.Ordinal)
        .Replace("$provider", ".*", StringComparison.Ordinal)
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$__range", "1h", StringComparison.Ordinal);

    // label_values(metric, label) lists the label's values: there is one when the series has the label.
    private static string LabelValuesAsQuery(string variable)
    {
        var match = Regex.Match(variable, @"^label_values\((\w+), (\w+)\)$");
        Assert.True(match.Success, variable);
        return $"count by ({match.Groups[2].Value}) ({match.Groups[1].Value}{{{match.Groups[2].Value}!=\"\"}})";
    }

    private static IEnumerable<string> MetricNames(string query) =>
        Regex.Matches(query, @"\b(?:api_client|gen_ai_client)_\w+").Select(m => m.Value);

    private static async Task<Dictionary<string, double>> ValuesByBackendAsync(HttpClient http, string promql)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}", TestContext.Current.CancellationToken));
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            r => r.GetProperty("metric").GetProperty("api_backend").GetString()!,
            r => double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
