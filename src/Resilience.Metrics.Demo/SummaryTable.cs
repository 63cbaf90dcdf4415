using System.Globalization;
using System.Text;

namespace Resilience.Metrics.Demo;

/// <summary>The one-screen summary printed at the end: a row per backend and the errors by category.</summary>
internal static class SummaryTable
{
    private static readonly (string Title, int Width)[] Columns =
    [
        ("backend", 10), ("requests", 8), ("ok %", 6), ("p50 ms", 7), ("p95 ms", 7), ("p99 ms", 7), ("rps", 6),
        ("tok/s", 7), ("retries", 7), ("errors", 6), ("circuit", 9), ("opens", 5), ("USD", 8),
    ];

    public static string Format(IMetricsReporter reporter, IReadOnlyList<string> backends, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var text = new StringBuilder();
        Row(text, Columns.Select(c => c.Title));
        text.AppendLine(string.Join("  ", Columns.Select(c => new string('-', c.Width))));

        long requests = 0, successes = 0, retries = 0, failures = 0, tokens = 0, opens = 0;
        double? cost = null;
        var categories = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var backend in backends)
        {
            var r = reporter.GetMetricsReport(backend);
            var backendTokens = r.TokenCounts.Prompt + r.TokenCounts.Completion;
            Row(text,
            [
                backend,
                N(r.TotalRequests),
                r.TotalRequests == 0 ? "-" : F(100 * r.SuccessRate, 1),
                F(P(r, "50"), 0),
                F(P(r, "95"), 0),
                F(P(r, "99"), 0),
                F(r.TotalRequests / seconds, 1),
                F(backendTokens / seconds, 0),
                N(r.Retries),
                N(r.Failures),
                r.CircuitBreaker.CurrentStateName,
                N(r.CircuitBreaker.OpenCircuitCount),
                Usd(r.CostUsd),
            ]);
            requests += r.TotalRequests;
            successes += r.Successes;
            retries += r.Retries;
            failures += r.Failures;
            tokens += backendTokens;
            opens += r.CircuitBreaker.OpenCircuitCount;
            if (r.CostUsd is { } backendCost)
            {
                cost = (cost ?? 0) + backendCost;
            }

            foreach (var (category, count) in r.Errors.ErrorCategories)
            {
                categories[category] = categories.GetValueOrDefault(category) + count;
            }
        }

        text.AppendLine(string.Join("  ", Columns.Select(c => new string('-', c.Width))));
        Row(text,
        [
            "all",
            N(requests),
            requests == 0 ? "-" : F(100.0 * successes / requests, 1),
            "", "", "",
            F(requests / seconds, 1),
            F(tokens / seconds, 0),
            N(retries),
            N(failures),
            "",
            N(opens),
            Usd(cost),
        ]);
        text.AppendLine();
        text.AppendLine("errors by category (failed attempts that were retried included):");
        text.Append("  ").AppendLine(string.Join(" · ", categories.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N0}"))));
        RateLimits(text, reporter, backends);
        return text.ToString();
    }

    /// <summary>What the providers' latest rate-limit headers say is left, for the backends that sent them.</summary>
    private static void RateLimits(StringBuilder text, IMetricsReporter reporter, IReadOnlyList<string> backends)
    {
        var lines = new List<string>();
        foreach (var backend in backends)
        {
            var limits = reporter.GetRateLimits(backend);
            var kinds = limits.Kinds
                .Where(k => k.Metrics.Headroom is not null)
                .Select(k => string.Create(CultureInfo.InvariantCulture,
                    $"{k.Kind} {100 * k.Metrics.Headroom!.Value:F1} % of {k.Metrics.Limit!.Value:N0} left{(k.Metrics.ResetSeconds is { } reset ? $" (reset in {reset:F0} s)" : "")}"))
                .ToList();
            if (kinds.Count > 0)
            {
                var low = limits.LowestHeadroom is { Headroom: < 0.1 } ? "  << LOW" : "";
                lines.Add($"  {backend,-10}  {string.Join(" · ", kinds)}{low}");
            }
        }

        if (lines.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("rate-limit headroom (the providers' latest headers):");
            foreach (var line in lines)
            {
                text.AppendLine(line);
            }
        }
    }

    private static double P(MetricsReport report, string key) => report.Latency.Percentiles.GetValueOrDefault(key);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static void Row(StringBuilder text, IEnumerable<string> cells)
    {
        var i = 0;
        var parts = new List<string>();
        foreach (var cell in cells)
        {
            var width = Columns[i].Width;
            parts.Add(i == 0 || i == 10 ? cell.PadRight(width) : cell.PadLeft(width));
            i++;
        }

        text.AppendLine(string.Join("  ", parts).TrimEnd());
    }

    /// <summary>Spend in USD; "-" for a backend without a price table (no guessed price).</summary>

    private static string Usd(double? usd) => usd is { } value ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

}
