namespace Resilience.Metrics.Demo;

/// <summary>Writes the run's reports to the output folder.</summary>
internal static class OutputFiles
{
    /// <summary>Writes <c>report.json</c>, <c>metrics.prom</c>, <c>grafana-dashboard.json</c> (and <c>alert-rules.yml</c>).</summary>
    /// <returns>The paths written.</returns>
    public static async Task<IReadOnlyList<string>> WriteAsync(string folder, MetricsReporter reporter, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        await Write("report.json", reporter.GetJsonReport()).ConfigureAwait(false);           // every backend, one object
        await Write("metrics.prom", reporter.GetPrometheusMetrics()).ConfigureAwait(false);
        await Write("grafana-dashboard.json", reporter.ExportGrafanaDashboard()).ConfigureAwait(false);
        if (AlertRulesYaml() is { } rules)
        {
            await Write("alert-rules.yml", rules).ConfigureAwait(false);
        }

        return written;

        async Task Write(string name, string content)
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
            written.Add(path);
        }
    }

    // ──── ALERT RULES PLUG-IN POINT ──────────────────────────────────────────────────────────────────────────────
    // The alerts feature (ApiMonitoringAlertRules in src/Resilience.Metrics/Alerts/) is not on main yet. When it
    // lands, return its Prometheus rule file here, e.g.
    //     return ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions());
    // and the demo writes alert-rules.yml next to the other files (docs/demo.md already lists it as optional).
    private static string? AlertRulesYaml() => null;
}
