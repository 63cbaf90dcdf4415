namespace Resilience.Metrics.Demo;

/// <summary>Writes the run's reports to the output folder.</summary>
internal static class OutputFiles
{
    /// <summary>Writes <c>report.json</c>, <c>metrics.prom</c>, <c>grafana-dashboard.json</c>,
    /// <c>grafana-dashboard-opentelemetry.json</c> and <c>alert-rules.yml</c>.</summary>
    /// <returns>The paths written.</returns>
    public static async Task<IReadOnlyList<string>> WriteAsync(string folder, MetricsReporter reporter, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        await Write("report.json", reporter.GetJsonReport()).ConfigureAwait(false);           // every backend, one object
        await Write("metrics.prom", reporter.GetPrometheusMetrics()).ConfigureAwait(false);
        await Write("grafana-dashboard.json", reporter.ExportGrafanaDashboard()).ConfigureAwait(false);
        await Write("grafana-dashboard-opentelemetry.json", reporter.ExportGrafanaDashboard(DashboardSource.OpenTelemetry)).ConfigureAwait(false);
        await Write("alert-rules.yml", new ApiMonitoringAlertOptions().ToPrometheusRules()).ConfigureAwait(false);

        return written;

        async Task Write(string name, string content)
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
            written.Add(path);
        }
    }
}
