using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Resilience.Metrics.IntegrationTests.Reliability;

public class SecurityTests
{
    private const string Secret = "Zq7SECRETxK29vLp";

    [Fact]
    public async Task Planted_credentials_reach_no_trace_log_report_label_or_dashboard()
    {
        var call = 0;
        var backend = new InMemoryBackend((request, _) => Interlocked.Increment(ref call) switch
        {
            1 => InMemoryBackend.Json(request, $$$"""{"error":{"message":"Incorrect API key provided: sk-{{{Secret}}}","code":"invalid_api_key"}}""", HttpStatusCode.Unauthorized),
            2 => throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection to https://user:{Secret}@api.example.com/v1?api_key={Secret} failed; Authorization: Bearer sk-{Secret}"),
            3 => throw new InvalidOperationException($"x-api-key: {Secret}; token={Secret}; api-key={Secret}; key={Secret}"),
            _ => InMemoryBackend.Json(request, """{"model":"gpt-4o","usage":{"prompt_tokens":1,"completion_tokens":2}}"""),
        });
        var logs = new FakeLogCollector();
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ApiMonitoringTelemetry.Name || source.Name.StartsWith("System.Net", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // The listener is process-wide: tests running in parallel stop activities on other threads while this one reads.
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        services.AddHttpClient("secure", c =>
            {
                c.BaseAddress = new Uri("https://api.openai.com/");
                c.DefaultRequestHeaders.Authorization = new("Bearer", "sk-" + Secret);
                c.DefaultRequestHeaders.Add("x-api-key", Secret);
                c.DefaultRequestHeaders.Add("api-key", Secret);
            })
            .AddApiMonitoring(o =>
            {
                o.RequestTracing = true;
                o.Retry.Enabled = false;
                o.CircuitBreaker.FailureThreshold = 2;
            })
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        services.AddApiMonitoringAlerts(o => o.ErrorRate = 0.01);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("secure");

        for (var i = 0; i < 5; i++)
        {
            try
            {
                using var response = await client.PostAsync($"v1/chat/completions?key={Secret}&api_key={Secret}", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or Polly.CircuitBreaker.BrokenCircuitException)
            {
                // The planted failures.
            }
        }

        await provider.GetRequiredService<IAlertMonitor>().CheckNowAsync(TestContext.Current.CancellationToken);
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        var traces = reporter.GetRecentTraces(100);
        Assert.Equal(5, traces.Count);
        Assert.Contains(traces, t => t.Error is not null && t.Error.Contains("[REDACTED]", StringComparison.Ordinal));

        Activity[] stopped;
        lock (activities) { stopped = [.. activities]; }
        var outputs = new Dictionary<string, string>
        {
            ["traces"] = JsonSerializer.Serialize(traces),
            ["ascii"] = reporter.GetAsciiReport("secure"),
            ["json"] = reporter.GetJsonReport("secure"),
            ["prometheus"] = reporter.GetPrometheusMetrics(),
            ["grafana"] = reporter.ExportGrafanaDashboard(),
            // Our log lines; HttpClient's and Polly's own logging are the application's to configure (docs/reliability.md).
            ["logs"] = string.Join('\n', logs.GetSnapshot().Where(r => r.Category?.StartsWith("Resilience.Metrics", StringComparison.Ordinal) == true).Select(r => r.Category + ": " + r.Message + " " + string.Join(',', r.StructuredState?.Select(p => p.Value) ?? []) + " " + r.Exception?.Message)),
            ["activities"] = string.Join('\n', stopped.Where(a => a.Source.Name == ApiMonitoringTelemetry.Name).SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}"))),
        };

        Assert.NotEmpty(outputs["logs"]);
        Assert.NotEmpty(outputs["activities"]);
        Assert.All(outputs, output => Assert.False(output.Value.Contains(Secret, StringComparison.Ordinal), $"the secret leaked into {output.Key}: {string.Join("\n", output.Value.Split((char)10).Where(l => l.Contains(Secret, StringComparison.Ordinal)))}"));
    }
}
