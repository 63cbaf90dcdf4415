namespace Resilience.Metrics;

/// <summary>Writes one report's series of a family (any number, labels after <c>api</c>).</summary>
internal delegate void SeriesWriter(MetricsReport report, ref PrometheusFormatter.Family family);
