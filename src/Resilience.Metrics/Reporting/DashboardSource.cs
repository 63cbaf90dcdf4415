namespace Resilience.Metrics;

/// <summary>Which export a Grafana dashboard queries (<see cref="IMetricsReporter.ExportGrafanaDashboard(DashboardSource)"/>).</summary>
public enum DashboardSource
{
    /// <summary>The <c>api_*</c> families of <c>/monitoring/metrics</c>, label <c>api</c>.</summary>
    ApiMonitoring = 0,

    /// <summary>
    /// The <c>Resilience.Metrics</c> meter's instruments as OpenTelemetry's Prometheus exporter writes them
    /// (<c>api_client_requests_total</c>, label <c>api_backend</c>).
    /// </summary>
    OpenTelemetry = 1,
}
