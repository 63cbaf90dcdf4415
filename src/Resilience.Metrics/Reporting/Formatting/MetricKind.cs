namespace Resilience.Metrics;

/// <summary>What kind of Prometheus family a metric is.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}
