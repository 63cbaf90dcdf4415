using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace Resilience.Metrics.Tests.Docs;

/// <summary>
/// The C# examples of docs/guide.md, compiled and run. Each example is the text between its
/// <c>// example: name</c> and <c>// end</c> lines; <see cref="GuideExamplesTests"/> checks docs/guide.md quotes each one verbatim.
/// </summary>
public static class GuideExamples
{
    public static async Task<MetricsReport> CollectingMetrics(HttpMessageHandler backend)
    {
        // example: collecting
        var services = new ServiceCollection();
        services.AddHttpClient("openai", c => c.BaseAddress = new Uri("https://api.openai.com/"))
            .AddApiMonitoring(o => o.Queue.MaxConcurrentRequests = 8)
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request);

        var reporter = provider.GetRequiredService<IMetricsReporter>();
        MetricsReport report = reporter.GetMetricsReport("openai");
        ModelMetrics model = reporter.GetModelMetrics("openai", "gpt-4o-mini");
        ErrorMetrics errors = reporter.GetErrorMetrics("openai");
        // end
        Assert.Equal(1, model.Requests);
        Assert.Equal(0, errors.TotalErrors);
        return report;
    }

    public static async Task<RequestTrace?> Tracing(HttpMessageHandler backend)
    {
        var services = new ServiceCollection();
        // example: tracing
        services.AddHttpClient("anthropic", c => c.BaseAddress = new Uri("https://api.anthropic.com/"))
            .AddApiMonitoring(o => o.RequestTracing = true)
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        // ... after some requests:
        // end
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic");
        using var response = await client.PostAsync("v1/messages", new StringContent("{}", Encoding.UTF8, "application/json"));
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        // example: traces
        IReadOnlyList<RequestTrace> recent = reporter.GetRecentTraces(limit: 10);
        RequestTrace? trace = reporter.GetTrace(recent[0].TraceId);
        Console.WriteLine($"{trace?.TraceId}: {trace?.Latency:F1} ms, {trace?.Attempts} attempt(s), queued {trace?.QueueTime:F1} ms");
        // end
        return trace;
    }

    public static ErrorMetrics Errors(IMetricsReporter reporter)
    {
        // example: errors
        ErrorMetrics errors = reporter.GetErrorMetrics("openai");
        Console.WriteLine($"Error rate: {errors.ErrorRate:P2}, most common: {errors.MostCommonError ?? "None"}");
        foreach (var (category, count) in errors.ErrorCategories)   // rate_limiting, authentication, ...
        {
            Console.WriteLine($"  {category}: {count}");
        }
        // end
        return errors;
    }

    public static (LatencyMetrics Latency, double P95, ThroughputMetrics LastTenSeconds, double TokensPerSecond) Performance(IMetricsReporter reporter)
    {
        // example: performance
        LatencyMetrics latency = reporter.GetLatencyMetrics("openai");
        double p95 = latency.Percentiles["95"];                   // milliseconds, within 1 % of the exact value
        ThroughputMetrics lastMinute = reporter.GetThroughputMetrics("openai");
        ThroughputMetrics lastTenSeconds = reporter.GetThroughputMetrics("openai", TimeSpan.FromSeconds(10));
        double tokensPerSecond = lastMinute.TokenThroughput.TokensPerSecond;
        // end
        return (latency, p95, lastTenSeconds, tokensPerSecond);
    }

    public static WindowMetrics Windows(IMetricsReporter reporter)
    {
        // example: windows
        WindowMetrics recent = reporter.GetWindowMetrics("openai", TimeSpan.FromMinutes(5));   // up to 15 minutes
        Console.WriteLine($"last 5 min: {recent.ErrorRate:P1} errors, p95 {recent.Percentiles["95"]:F0} ms");
        // end
        return recent;
    }

    public static (QueueMetrics, CircuitBreakerMetrics) QueueAndCircuit(IMetricsReporter reporter)
    {
        // example: queue-circuit
        QueueMetrics queue = reporter.GetQueueMetrics("openai");
        Console.WriteLine($"{queue.CurrentQueueSize} waiting, {queue.ActiveRequests} active, {queue.AvgQueueTimeMs:F1} ms average wait, {queue.QueueRejectionCount} rejected");
        CircuitBreakerMetrics circuit = reporter.GetCircuitBreakerMetrics("openai");
        Console.WriteLine($"{circuit.CurrentState}, opened {circuit.OpenCircuitCount} times, {circuit.UptimePercentage:F1} % closed");
        // end
        return (queue, circuit);
    }

    public static async Task<string> Priority(HttpClient client)
    {
        // example: priority
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.SetApiPriority(RequestPriority.High);   // admitted before Normal and Low when the backend is busy
        request.SetApiModel("gpt-4o");                  // counted under this model whatever the body says
        using var response = await client.SendAsync(request);
        // end
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<MetricsReport> PlainPipeline()
    {
        // example: plain-pipeline
        using var collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(collector);   // the OpenTelemetry instruments; AddApiMonitoring() does this in DI
        var reporter = new MetricsReporter(collector);
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddApiMonitoring("s3", collector, o => o.Retry.MaxRetries = 2)
            .Build();

        string body = await pipeline.ExecuteAsync(async token => await Task.FromResult("object bytes"));
        Console.WriteLine(reporter.GetAsciiReport("s3"));
        // end
        Assert.Equal("object bytes", body);
        return reporter.GetMetricsReport("s3");
    }

    public static async Task<MetricsReport> Spend(HttpMessageHandler backend)
    {
        var services = new ServiceCollection();
        // example: pricing
        services.AddHttpClient("openai", c => c.BaseAddress = new Uri("https://api.openai.com/"))
            .AddApiMonitoring(o =>
            {
                o.Pricing["gpt-4o"] = new ModelPrice { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25 };
                o.Pricing["gpt-4o-mini"] = new ModelPrice { InputPerMillion = 0.15, OutputPerMillion = 0.6, CachedInputPerMillion = 0.075 };
            })
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        // end
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
        using var response = await client.PostAsync("v1/chat/completions", new StringContent("""{"model":"gpt-4o-mini-2024-07-18"}""", Encoding.UTF8, "application/json"));
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        // example: cost
        MetricsReport report = reporter.GetMetricsReport("openai");
        double? total = report.CostUsd;                                  // USD since start; null without a price table
        double? lastFiveMinutes = report.Windows["5m"].CostUsd;
        double? perModel = report.Models["gpt-4o-mini-2024-07-18"].CostUsd;   // priced as gpt-4o-mini (longest prefix)
        IReadOnlyList<string>? unpriced = report.UnpricedModels;         // models that matched no price
        // end
        Assert.Equal(total, lastFiveMinutes);
        Assert.Equal(total, perModel);
        Assert.Empty(unpriced!);
        return report;
    }

    public static (string, string, string) Reports(IMetricsReporter reporter)
    {
        // example: reports
        string ascii = reporter.GetAsciiReport("openai");          // the guide's text report
        string json = reporter.GetJsonReport("openai");            // the guide's snake_case keys
        string prometheus = reporter.GetPrometheusMetrics();       // every backend, one exposition
        string dashboard = reporter.ExportGrafanaDashboard();      // importable Grafana JSON
        reporter.ResetMetrics("openai");                           // or ResetMetrics() for all
        // end
        Assert.NotEmpty(dashboard);
        return (ascii, json, prometheus);
    }

    public static async Task<(AuditCollector Audit, MetricsReport Report)> OwnCollector(HttpMessageHandler backend)
    {
        var services = new ServiceCollection();
        // example: own-collector-registration
        services.AddSingleton<AuditCollector>();
        services.AddSingleton<IMetricsCollector>(sp => sp.GetRequiredService<AuditCollector>());
        services.AddHttpClient("openai", c => c.BaseAddress = new Uri("https://api.openai.com/"))
            .AddApiMonitoring()
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        // end
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
        using var response = await client.PostAsync(
            "v1/chat/completions", new StringContent("""{"model":"gpt-4o-mini","messages":[]}""", Encoding.UTF8, "application/json"));
        return (provider.GetRequiredService<AuditCollector>(), provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("openai"));
    }

    // example: own-collector
    /// <summary>Writes a line per finished request and per circuit change, beside the built-in collector.</summary>
    public sealed class AuditCollector : IMetricsCollector
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public TimeProvider TimeProvider => TimeProvider.System;

        public BackendKey RegisterBackend(string name) => new(name);

        public void RecordRequest(RequestCompleted request) => Lines.Enqueue(
            $"{request.Backend.Name} {request.Model} {(request.Succeeded ? "ok" : request.ErrorCategory)} {request.Latency.TotalMilliseconds:F0} ms");

        public void RecordCircuitStateChange(CircuitStateChanged change) => Lines.Enqueue($"{change.Backend.Name} circuit {change.State}");

        public void RecordRetry(RetryAttempted retry)
        {
        }

        public void RecordCircuitAttempt(BackendKey backend, bool failed)
        {
        }

        public void RecordMonitoringError(BackendKey backend)
        {
        }
    }
    // end
}

/// <summary>A backend in memory answering every request with an OpenAI-shaped chat completion.</summary>
internal sealed class OpenAiLikeHandler : HttpMessageHandler
{
    public const string Body = """{"id":"c1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"}}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}""";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Body, Encoding.UTF8, "application/json"), RequestMessage = request });
}
