using System.Globalization;
using System.Text;

namespace Resilience.Metrics;

/// <summary>The guide's ASCII report (<c>get_ascii_report</c>): its lines in its order, then a few extra lines.</summary>
internal static class AsciiReportFormatter
{
    /// <summary>
    /// Formats one backend's report. Lines end with <c>"\n"</c> and, as in the guide's <c>"\n".join</c>, the last
    /// line has none. Numbers use the invariant culture; NaN and infinities print as 0.00.
    /// </summary>
    public static string Format(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(640 + (report.Models.Count * 96));

        sb.Append("=== ");
        AppendText(sb, report.Backend);
        sb.Append(" Metrics Report ===\n");
        sb.Append(inv, $"Timestamp: {report.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC\n");
        sb.Append(inv, $"Uptime: {FormattingGuards.Finite(report.UptimeSeconds):F2} seconds\n");
        sb.Append('\n');
        sb.Append(inv, $"Total Requests: {report.TotalRequests}\n");
        sb.Append(inv, $"Success Rate: {Percent(report.SuccessRate):F2}%\n");
        sb.Append("Current Circuit State: ");
        sb.Append(report.CircuitBreaker.CurrentState.ToName());
        sb.Append('\n');
        sb.Append(inv, $"Current Queue Size: {report.Queue.CurrentQueueSize}\n");
        sb.Append('\n');

        var latency = report.Latency;
        sb.Append("Latency (ms):\n");
        sb.Append(inv, $"  Avg: {FormattingGuards.Finite(latency.AvgLatency):F2}\n");
        sb.Append(inv, $"  P50: {Percentile(latency.Percentiles, "50"):F2}\n");
        sb.Append(inv, $"  P95: {Percentile(latency.Percentiles, "95"):F2}\n");
        sb.Append(inv, $"  P99: {Percentile(latency.Percentiles, "99"):F2}\n");
        sb.Append('\n');
        sb.Append("Throughput:\n");
        sb.Append(inv, $"  Requests/sec: {FormattingGuards.Finite(report.Throughput.RequestsPerSecond):F2}\n");
        sb.Append('\n');
        sb.Append("Errors:\n");
        sb.Append(inv, $"  Error Rate: {Percent(report.Errors.ErrorRate):F2}%\n");
        sb.Append("  Most Common: ");
        // The guide prints `most_common_error or 'None'`, so an empty name is None too.
        AppendText(sb, string.IsNullOrEmpty(report.Errors.MostCommonError) ? "None" : report.Errors.MostCommonError);

        if (report.Models.Count > 0)
        {
            sb.Append("\n\nModel Statistics:");
            foreach (var (model, stats) in report.Models)
            {
                sb.Append("\n  ");
                AppendText(sb, model);
                sb.Append(':');
                sb.Append(inv, $"\n    Requests: {stats.Requests}");
                sb.Append(inv, $"\n    Success Rate: {Percent(stats.SuccessRate):F2}%");
                sb.Append(inv, $"\n    Avg Latency: {FormattingGuards.Finite(stats.AvgLatency):F2} ms");
            }
        }

        // Additions come after every line of the guide, so readers of the guide's layout are not disturbed.
        sb.Append("\n\nTokens:");
        sb.Append(inv, $"\n  Prompt: {report.TokenCounts.Prompt}");
        sb.Append(inv, $"\n  Completion: {report.TokenCounts.Completion}");
        sb.Append(inv, $"\n  Tokens/sec: {FormattingGuards.Finite(report.Throughput.TokenThroughput.TokensPerSecond):F2}");
        if (report.CostUsd is { } cost)
        {
            // Only with a price table: no table, no figure (never a guessed price).
            sb.Append(inv, $"\n  Cost: {FormattingGuards.Finite(cost):F4} USD");
            if (report.UnpricedModels is { Count: > 0 } unpriced)
            {
                sb.Append(" (unpriced: ");
                AppendText(sb, string.Join(", ", unpriced));
                sb.Append(')');
            }
        }

        sb.Append("\n\nResilience:");
        sb.Append(inv, $"\n  Timeouts: {report.Timeouts}");
        sb.Append(inv, $"\n  Retried Requests: {report.Retries}");
        sb.Append(inv, $"\n  Retry Attempts: {report.RetryAttempts}");
        sb.Append(inv, $"\n  Queue Rejections: {report.Queue.QueueRejectionCount}");
        sb.Append(inv, $"\n  Circuit Opens: {report.CircuitBreaker.OpenCircuitCount}");
        sb.Append(inv, $"\n  Monitoring Errors: {report.MonitoringErrors}");
        AppendRecent(sb, report);
        AppendRateLimits(sb, report);

        return sb.ToString();
    }

    // The provider's own limits, only for a backend whose responses carried them.
    private static void AppendRateLimits(StringBuilder sb, MetricsReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var first = true;
        foreach (var (kind, limit) in report.RateLimits?.Kinds ?? [])
        {
            if (first)
            {
                sb.Append("\n\nRate Limits (latest headers):");
                first = false;
            }

            sb.Append(inv, $"\n  {kind}: {(limit.Remaining is { } remaining ? remaining.ToString(inv) : "?")} of {(limit.Limit is { } max ? max.ToString(inv) : "?")} left");
            if (limit.Headroom is { } headroom)
            {
                sb.Append(inv, $" ({Percent(headroom):F2}%)");
            }

            if (limit.ResetSeconds is { } reset)
            {
                sb.Append(inv, $", resets in {FormattingGuards.Finite(reset):F2} s");
            }
        }
    }

    // The last 5 minutes beside since start: an incident shows here while the since-start figures barely move.
    private static void AppendRecent(StringBuilder sb, MetricsReport report)
    {
        if (!report.Windows.TryGetValue("5m", out var recent))
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var sinceStartRps = report.UptimeSeconds > 0 ? report.TotalRequests / report.UptimeSeconds : 0;
        sb.Append("\n\nRecent:             last 5 min  since start");
        sb.Append(inv, $"\n  Requests:       {recent.Requests,12} {report.TotalRequests,12}");
        sb.Append(inv, $"\n  Success Rate:   {Percent(recent.SuccessRate),11:F2}% {Percent(report.SuccessRate),11:F2}%");
        sb.Append(inv, $"\n  Error Rate:     {Percent(recent.ErrorRate),11:F2}% {Percent(report.Errors.ErrorRate),11:F2}%");
        sb.Append(inv, $"\n  Avg ms:         {FormattingGuards.Finite(recent.AvgLatency),12:F2} {FormattingGuards.Finite(report.Latency.AvgLatency),12:F2}");
        foreach (var key in (ReadOnlySpan<string>)["50", "95", "99"])
        {
            sb.Append(inv, $"\n  P{key} ms:         {Percentile(recent.Percentiles, key),12:F2} {Percentile(report.Latency.Percentiles, key),12:F2}");
        }

        sb.Append(inv, $"\n  Requests/sec:   {FormattingGuards.Finite(recent.RequestsPerSecond),12:F2} {FormattingGuards.Finite(sinceStartRps),12:F2}");
        if (recent.CostUsd is { } recentCost && report.CostUsd is { } cost)
        {
            sb.Append(inv, $"\n  Cost USD:       {FormattingGuards.Finite(recentCost),12:F4} {FormattingGuards.Finite(cost),12:F4}");
        }
    }

    private static double Percent(double ratio) => FormattingGuards.Finite(FormattingGuards.Finite(ratio) * 100d);

    private static double Percentile(IReadOnlyDictionary<string, double> percentiles, string key) =>
        percentiles.TryGetValue(key, out var value) ? FormattingGuards.Finite(value) : 0d;

    // Names come from backends' responses: a control character (newline, ESC) must not forge report lines or
    // drive the terminal that shows the report.
    private static void AppendText(StringBuilder sb, string? text)
    {
        foreach (var c in text.AsSpan())
        {
            sb.Append(char.IsControl(c) ? '?' : c);
        }
    }
}
