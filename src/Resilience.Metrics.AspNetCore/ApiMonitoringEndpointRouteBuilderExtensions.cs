using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Resilience.Metrics;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the monitoring endpoints: Prometheus metrics, reports, traces and dashboards.</summary>
public static class ApiMonitoringEndpointRouteBuilderExtensions
{
    /// <summary>The Prometheus text exposition content type.</summary>
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly JsonSerializerOptions TraceJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter<ErrorCategory>(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>/metrics</c> (Prometheus), <c>/report</c> (JSON, all backends),
    /// <c>/report/{backend}</c> (JSON), <c>/report/{backend}.txt</c> (ASCII), <c>/history</c> (JSON: every backend's
    /// 5 s slices of the last 15 minutes), <c>/traces</c>
    /// (<c>?limit=10&amp;backend=…</c>), <c>/grafana-dashboard.json</c> (<c>?source=opentelemetry</c>: the dashboard over
    /// OpenTelemetry's Prometheus exporter's names) and <c>/alert-rules.yml</c> (Prometheus alerting
    /// rules with the thresholds of <c>AddApiMonitoringAlerts</c>, or the defaults) and <c>/dashboard</c> (the live
    /// dashboard page, self-contained: no CDN). Returns the group's convention builder, so
    /// the endpoints can be protected: <c>app.MapApiMonitoring().RequireAuthorization()</c>.
    /// </summary>
    public static RouteGroupBuilder MapApiMonitoring(this IEndpointRouteBuilder endpoints, string prefix = "/monitoring")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);

        var group = endpoints.MapGroup(prefix);
        group.MapGet("/metrics", static (IMetricsReporter reporter) =>
            Results.Text(reporter.GetPrometheusMetrics(), PrometheusContentType));

        group.MapGet("/report", static (IMetricsReporter reporter) =>
            Results.Text(reporter.GetJsonReport(), "application/json"));

        group.MapGet("/history", static (IMetricsReporter reporter) =>
            Results.Text(reporter.GetJsonHistory(), "application/json"));

        group.MapGet("/report/{backend}.txt", static (string backend, IMetricsReporter reporter) =>
            reporter.Backends.Contains(backend)
                ? Results.Text(reporter.GetAsciiReport(backend), "text/plain; charset=utf-8")
                : Results.NotFound());

        group.MapGet("/report/{backend}", static (string backend, IMetricsReporter reporter) =>
            reporter.Backends.Contains(backend)
                ? Results.Text(reporter.GetJsonReport(backend), "application/json")
                : Results.NotFound());

        group.MapGet("/traces", static (IMetricsReporter reporter, int? limit, string? backend) =>
            limit is < 0
                ? Results.BadRequest("limit must be 0 or more.")
                : Results.Json(reporter.GetRecentTraces(limit ?? 10, backend), TraceJson));

        // ?source=opentelemetry: the dashboard over OpenTelemetry's Prometheus exporter's names.
        group.MapGet("/grafana-dashboard.json", static (IMetricsReporter reporter, string? source) =>
            DashboardSourceOf(source) is { } parsed
                ? Results.Text(reporter.ExportGrafanaDashboard(parsed), "application/json")
                : Results.BadRequest("source must be apimonitoring or opentelemetry."));
        group.MapGet("/dashboard", global::Resilience.Metrics.AspNetCore.ApiMonitoringDashboardPage.Serve);

        group.MapGet("/alert-rules.yml", static (IOptions<ApiMonitoringAlertOptions> options) =>
            Results.Text(options.Value.ToPrometheusRules(), "application/yaml; charset=utf-8"));

        return group;
    }

    // Names only, case-insensitive; numbers are not accepted.
    private static DashboardSource? DashboardSourceOf(string? source) => source?.ToUpperInvariant() switch
    {
        null or "" or "APIMONITORING" => DashboardSource.ApiMonitoring,
        "OPENTELEMETRY" => DashboardSource.OpenTelemetry,
        _ => null,
    };
}
