namespace Resilience.Metrics;

/// <summary>
/// The monitoring guide's client methods, per backend. A DI singleton (<c>services.AddApiMonitoring()</c>), or
/// <c>new MetricsReporter(collector)</c> without DI. A backend that has recorded nothing reports zeros.
/// </summary>
public interface IMetricsReporter
{
    /// <summary>The registered backends' names.</summary>
    IReadOnlyCollection<string> Backends { get; }

    /// <summary>The comprehensive report (the guide's <c>get_metrics_report</c>).</summary>
    MetricsReport GetMetricsReport(string backend);

    /// <summary>Every registered backend's report, in registration order.</summary>
    IReadOnlyList<MetricsReport> GetAllReports();

    /// <summary>Average, minimum, maximum and percentile latency in milliseconds.</summary>
    LatencyMetrics GetLatencyMetrics(string backend);

    /// <summary>Requests and tokens per second over the last <paramref name="window"/> (default 60 s, at most 15 minutes).</summary>
    ThroughputMetrics GetThroughputMetrics(string backend, TimeSpan? window = null);

    /// <summary>
    /// What the backend recorded over the last <paramref name="window"/> (at most 15 minutes), from its 5 s time
    /// slices: the window is rounded up to whole slices and covers the newest complete ones plus the current one.
    /// </summary>
    WindowMetrics GetWindowMetrics(string backend, TimeSpan window);

    /// <summary>
    /// The backend's last 15 minutes as 5 s slices, oldest first: totals at each slice's end and the percentiles of the
    /// minute that ended there (what a chart opened now can draw at once).
    /// </summary>
    IReadOnlyList<HistorySample> GetHistory(string backend);

    /// <summary>Error rate, error types and categories, and the most common error.</summary>
    ErrorMetrics GetErrorMetrics(string backend);

    /// <summary>One model's figures; an unknown model gives zeros, as in the guide.</summary>
    ModelMetrics GetModelMetrics(string backend, string model);

    /// <summary>Queue size, active requests, queue time and length, rejections.</summary>
    QueueMetrics GetQueueMetrics(string backend);

    /// <summary>Circuit state, failures, open count, time per state, uptime.</summary>
    CircuitBreakerMetrics GetCircuitBreakerMetrics(string backend);

    /// <summary>The provider's rate limits from the backend's latest response headers (the report's <c>rate_limits</c>).</summary>
    RateLimitsReport GetRateLimits(string backend) => GetMetricsReport(backend).RateLimits;

    /// <summary>The trace of one request, or null when it is unknown or no longer kept.</summary>
    RequestTrace? GetTrace(string traceId);

    /// <summary>The most recent traces, newest first, of one backend or of all.</summary>
    IReadOnlyList<RequestTrace> GetRecentTraces(int limit = 10, string? backend = null);

    /// <summary>The guide's ASCII report.</summary>
    string GetAsciiReport(string backend);

    /// <summary>The comprehensive report as indented JSON with the guide's snake_case keys.</summary>
    string GetJsonReport(string backend);

    /// <summary>Every backend's report as one JSON object, by backend name.</summary>
    string GetJsonReport();

    /// <summary>Every backend's <see cref="GetHistory"/> as one JSON object, by backend name.</summary>
    string GetJsonHistory();

    /// <summary>Every backend's figures as one Prometheus text exposition (format 0.0.4).</summary>
    string GetPrometheusMetrics();

    /// <summary>A Grafana dashboard (JSON) over the series <see cref="GetPrometheusMetrics"/> emits.</summary>
    string ExportGrafanaDashboard();

    /// <summary>
    /// A Grafana dashboard (JSON) over <paramref name="source"/>: the series <see cref="GetPrometheusMetrics"/> emits,
    /// or the <c>Resilience.Metrics</c> meter's instruments as OpenTelemetry's Prometheus exporter writes them.
    /// </summary>
    string ExportGrafanaDashboard(DashboardSource source);

    /// <summary>Resets what was recorded for one backend, or for all when <paramref name="backend"/> is null.</summary>
    void ResetMetrics(string? backend = null);
}
