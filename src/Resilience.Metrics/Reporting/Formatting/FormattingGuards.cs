namespace Resilience.Metrics;

/// <summary>Checks and value clean-up shared by the report formatters.</summary>
internal static class FormattingGuards
{
    /// <summary>NaN and infinities become 0: reports show figures, and neither JSON nor the ASCII report can carry them.</summary>
    public static double Finite(double value) => double.IsFinite(value) ? value : 0d;

    /// <summary>
    /// Throws when two reports share a backend name: a multi-backend JSON object would lose one, and a Prometheus
    /// scrape with duplicate series is rejected whole, so the caller's bug is reported where it happens.
    /// </summary>
    public static void EnsureUniqueBackends(IReadOnlyList<MetricsReport> reports, string paramName)
    {
        ArgumentNullException.ThrowIfNull(reports, paramName);

        // Quadratic on purpose: a handful of backends, and no allocation on every scrape.
        for (var i = 0; i < reports.Count; i++)
        {
            var name = (reports[i] ?? throw new ArgumentException($"Report {i} is null.", paramName)).Backend;
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(reports[j].Backend, name, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Two reports have the backend name '{name}'; backend names must be unique.", paramName);
                }
            }
        }
    }
}
