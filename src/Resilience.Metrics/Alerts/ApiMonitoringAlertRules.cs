using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Resilience.Metrics;

/// <summary>
/// The alert thresholds as a Prometheus alerting rules file, over the series <see cref="IMetricsReporter.GetPrometheusMetrics"/>
/// emits: group <c>resilience-metrics</c> with <c>ApiHighErrorRate</c>, <c>ApiHighP95Latency</c>, <c>ApiLargeQueue</c>,
/// <c>ApiCircuitOpen</c> and, with a spend budget, <c>ApiHighSpendRate</c>. Load it with <c>rule_files:</c> in <c>prometheus.yml</c>; served by
/// <c>MapApiMonitoring()</c> at <c>/alert-rules.yml</c>.
/// </summary>
internal static class ApiMonitoringAlertRules
{
    /// <summary>The rule group's name.</summary>
    public const string GroupName = "resilience-metrics";

    /// <summary>
    /// Writes the rules for <paramref name="options"/>' thresholds. Every rule waits <c>for:</c>
    /// <see cref="ApiMonitoringAlertOptions.CheckInterval"/> (the in-process monitor's delay too); the error rate and the
    /// P95 latency are computed over <see cref="ApiMonitoringAlertOptions.Window"/> from counters and histogram buckets
    /// summed across instances (<c>rate(...[5m])</c>, <c>histogram_quantile</c>). Every rule carries a
    /// <c>severity</c> label (<c>warning</c>; <c>critical</c> for an open circuit) and <c>summary</c> and
    /// <c>description</c> annotations naming the backend (<c>{{ $labels.api }}</c>) and the value (<c>{{ $value }}</c>).
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public static string ToPrometheusYaml(ApiMonitoringAlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ApiMonitoringAlertOptionsValidator.ThrowIfInvalid(options);

        var wait = Duration(options.CheckInterval);
        var window = Duration(options.Window);
        var errorRate = Number(options.ErrorRate);
        var errorRatePercent = (options.ErrorRate * 100).ToString("0.####", CultureInfo.InvariantCulture);
        var latency = Number(options.P95Latency.TotalSeconds);
        var queue = options.QueueSize.ToString(CultureInfo.InvariantCulture);

        var yaml = new StringBuilder(2048)
            .Append("# Prometheus alerting rules for Resilience.Metrics, from ApiMonitoringAlertOptions.\n")
            .Append("# Load with rule_files: in prometheus.yml; check with: promtool check rules <file>\n")
            .Append("groups:\n")
            .Append("  - name: ").Append(Quote(GroupName)).Append('\n')
            .Append("    rules:\n");

        // Over the window, from counters and histogram buckets summed across instances: an outage fires after hours of
        // healthy traffic, the alert resolves once the outage has left the window, and many instances add up.
        Rule(
            yaml,
            "ApiHighErrorRate",
            "sum by (api) (rate(" + MetricCatalog.FailuresTotal.Name + "[" + window + "])) / sum by (api) (rate(" + MetricCatalog.RequestsTotal.Name + "[" + window + "])) > " + errorRate,
            wait,
            "warning",
            "High error rate on {{ $labels.api }}",
            "High error rate: {{ $value | humanizePercentage }} of requests to {{ $labels.api }} failed over the last " + window + " (threshold: " + errorRatePercent + "%).");
        Rule(
            yaml,
            "ApiHighP95Latency",
            "histogram_quantile(0.95, sum by (api, le) (rate(" + MetricCatalog.RequestDurationSeconds.Name + "_bucket[" + window + "]))) > " + latency,
            wait,
            "warning",
            "High P95 latency on {{ $labels.api }}",
            "High P95 latency: {{ $value | humanizeDuration }} on {{ $labels.api }} over the last " + window + " (threshold: " + latency + "s).");
        Rule(
            yaml,
            "ApiLargeQueue",
            MetricCatalog.QueueSize.Name + " > " + queue,
            wait,
            "warning",
            "Large queue on {{ $labels.api }}",
            "Large queue size: {{ $value }} requests waiting for {{ $labels.api }} (threshold: " + queue + ").");
        Rule(
            yaml,
            "ApiCircuitOpen",
            MetricCatalog.CircuitStateGauge.Name + " == " + MetricCatalog.OpenCircuitValue,
            wait,
            "critical",
            "Circuit breaker open on {{ $labels.api }}",
            "The circuit breaker of {{ $labels.api }} is open (api_circuit_state {{ $value }}): requests fail fast without reaching the backend.");

        if (options.SpendPerHourBudget is { } budget)
        {
            // The same figure as the in-process monitor's: USD per second over the window, times 3600.
            var usd = Number(budget);
            Rule(
                yaml,
                "ApiHighSpendRate",
                "sum by (api) (rate(" + MetricCatalog.CostUsdTotal.Name + "[" + window + "])) * 3600 > " + usd,
                wait,
                "warning",
                "High spend rate on {{ $labels.api }}",
                "High spend rate: {{ $value | printf \"%.2f\" }} USD per hour on {{ $labels.api }} over the last " + window + " (budget: " + usd + " USD per hour).");
        }

        if (options.RateLimitHeadroom > 0)
        {
            var headroom = Number(options.RateLimitHeadroom);
            var headroomPercent = (options.RateLimitHeadroom * 100).ToString("0.####", CultureInfo.InvariantCulture);

            // A window that has reset (reset 0) is full again whatever the last response said: left out, as in process.
            Rule(
                yaml,
                "ApiRateLimitHeadroomLow",
                MetricCatalog.RateLimitRemaining.Name + " / " + MetricCatalog.RateLimitLimit.Name + " < " + headroom
                    + " unless " + MetricCatalog.RateLimitResetSeconds.Name + " == 0",
                wait,
                "warning",
                "Low rate-limit headroom on {{ $labels.api }}",
                "Only {{ $value | humanizePercentage }} of the {{ $labels.kind }} rate limit of {{ $labels.api }} is left in its window (threshold: " + headroomPercent + "%).");
        }

        return yaml.ToString();
    }

    private static void Rule(StringBuilder yaml, string alert, string expr, string wait, string severity, string summary, string description) =>
        yaml.Append("      - alert: ").Append(Quote(alert)).Append('\n')
            .Append("        expr: ").Append(Quote(expr)).Append('\n')
            .Append("        for: ").Append(Quote(wait)).Append('\n')
            .Append("        labels:\n")
            .Append("          severity: ").Append(Quote(severity)).Append('\n')
            .Append("        annotations:\n")
            .Append("          summary: ").Append(Quote(summary)).Append('\n')
            .Append("          description: ").Append(Quote(description)).Append('\n');

    /// <summary>A YAML single-quoted scalar: nothing is special inside but the quote, which doubles.</summary>
    private static string Quote(string value)
    {
        // Line breaks would fold; none of ours has one.
        Debug.Assert(value.AsSpan().IndexOfAny('\n', '\r') < 0, "A quoted YAML scalar must be one line.");
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A PromQL number: shortest round-trip form, invariant culture (<c>0.05</c>, <c>1000</c>, <c>1E-05</c>).</summary>
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A Prometheus duration in the largest unit that divides it exactly (<c>1m</c>, <c>90s</c>, <c>1500ms</c>).</summary>
    internal static string Duration(TimeSpan value)
    {
        var ms = (long)Math.Ceiling(value.TotalMilliseconds);
        var (amount, unit) =
            ms % 86_400_000 == 0 ? (ms / 86_400_000, "d") :
            ms % 3_600_000 == 0 ? (ms / 3_600_000, "h") :
            ms % 60_000 == 0 ? (ms / 60_000, "m") :
            ms % 1_000 == 0 ? (ms / 1_000, "s") :
            (ms, "ms");
        return amount.ToString(CultureInfo.InvariantCulture) + unit;
    }
}
