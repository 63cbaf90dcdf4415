using BenchmarkDotNet.Attributes;
using Resilience.Metrics.Benchmarks.Guide;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Suite 4: one backend's report and the Prometheus text after 10^4, 10^6 and 10^7 recorded requests, for the library
/// (bounded state, a report from a snapshot) and for the guide's design (lists that grow, a sort per report).
/// </summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    private MetricsCollector? _collector;
    private MetricsReporter? _reporter;
    private GuideMetrics? _guide;

    [Params(10_000, 1_000_000, 10_000_000)]
    public int Requests { get; set; }

    [GlobalSetup(Targets = [nameof(Ours_GetMetricsReport), nameof(Ours_GetPrometheusMetrics)])]
    public void SetupOurs()
    {
        _collector = new MetricsCollector();
        _reporter = new MetricsReporter(_collector);
        ReportData.Fill(_collector, "bench", Requests);
    }

    [GlobalSetup(Targets = [nameof(Guide_GetLatencyMetrics), nameof(Guide_GetMetricsReport), nameof(Guide_GetPrometheusMetrics)])]
    public void SetupGuide()
    {
        _guide = new GuideMetrics("bench");
        ReportData.Fill(_guide, Requests);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _collector?.Dispose();
        _collector = null;
        _reporter = null;
        _guide = null;
    }

    [Benchmark(Baseline = true, Description = "ours: GetMetricsReport")]
    public MetricsReport Ours_GetMetricsReport() => _reporter!.GetMetricsReport("bench");

    [Benchmark(Description = "ours: GetPrometheusMetrics")]
    public string Ours_GetPrometheusMetrics() => _reporter!.GetPrometheusMetrics();

    [Benchmark(Description = "guide: get_latency_metrics")]
    public Dictionary<string, object> Guide_GetLatencyMetrics() => _guide!.GetLatencyMetrics();

    [Benchmark(Description = "guide: get_metrics_report")]
    public Dictionary<string, object?> Guide_GetMetricsReport() => _guide!.GetMetricsReport();

    [Benchmark(Description = "guide: get_prometheus_metrics")]
    public string Guide_GetPrometheusMetrics() => _guide!.GetPrometheusMetrics();
}

/// <summary>The recorded traffic of suite 4: log-normal latencies, two models, 1 % failures of two types, tokens.</summary>
internal static class ReportData
{
    private const int LatencyMask = (1 << 16) - 1;
    private static readonly string[] Models = ["gpt-4o-mini", "gpt-4o"];

    public static void Fill(MetricsCollector collector, string backend, int requests)
    {
        var key = collector.RegisterBackend(backend);
        var latencies = BenchData.LatencyTicks(LatencyMask + 1);
        for (var i = 0; i < requests; i++)
        {
            var failed = i % 100 == 99;
            collector.RecordRequest(new RequestCompleted(key)
            {
                Model = Models[i & 1],
                Latency = new TimeSpan(latencies[i & LatencyMask]),
                Succeeded = !failed,
                ErrorCategory = failed ? (i % 200 == 199 ? ErrorCategory.RateLimiting : ErrorCategory.Timeout) : ErrorCategory.None,
                ErrorType = failed ? (i % 200 == 199 ? "429" : "TimeoutRejectedException") : null,
                Attempts = 1,
                PromptTokens = failed ? 0 : 12,
                CompletionTokens = failed ? 0 : 3,
            });
        }
    }

    public static void Fill(GuideMetrics guide, int requests)
    {
        var latencies = BenchData.LatencyTicks(LatencyMask + 1);
        for (var i = 0; i < requests; i++)
        {
            var failed = i % 100 == 99;
            guide.UpdateMetrics(
                success: !failed,
                latency: latencies[i & LatencyMask] / (double)TimeSpan.TicksPerMillisecond,
                errorType: failed ? (i % 200 == 199 ? "429" : "TimeoutRejectedException") : null,
                model: Models[i & 1],
                promptTokens: failed ? 0 : 12,
                completionTokens: failed ? 0 : 3);
        }
    }
}
