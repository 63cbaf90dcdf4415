namespace Resilience.Metrics;

/// <summary>
/// The alert thresholds, with the monitoring guide's defaults (<c>error_rate</c> 0.05, <c>p95_latency</c> 1000 ms,
/// <c>queue_size</c> 50, checked every minute). A value strictly above its threshold fires. Validated at start-up.
/// Bindable from configuration (<c>AddApiMonitoringAlerts(configuration.GetSection("ApiMonitoring:Alerts"))</c>).
/// </summary>
public sealed class ApiMonitoringAlertOptions
{
    /// <summary>The error rate (failed requests / requests over the last <see cref="Window"/>) above which an alert fires; from 0 to 1 (1 never fires). Default 0.05.</summary>
    [Bounds(0.0, 1.0, "must be from 0 to 1")]
    public double ErrorRate { get; set; } = 0.05;

    /// <summary>The 95th latency percentile (over the last <see cref="Window"/>) above which an alert fires; greater than zero, at most 1 day. Default 1 second.</summary>
    [Bounds(typeof(TimeSpan), "00:00:00", "1.00:00:00", "must be greater than zero and at most 1 day", MinimumIsExclusive = true)]
    public TimeSpan P95Latency { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The number of waiting requests above which an alert fires; 0 or more. Default 50.</summary>
    [Bounds(0, int.MaxValue, "must be 0 or more")]
    public int QueueSize { get; set; } = 50;

    /// <summary>
    /// How often backends are checked; from 1 second to 1 day. Default 1 minute. The Prometheus rules use it as
    /// their <c>for:</c> duration.
    /// </summary>
    [Bounds(typeof(TimeSpan), "00:00:01", "1.00:00:00", "must be from 1 second to 1 day")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The window the error rate and the P95 latency are computed over (the reports' 5 s slices): an outage fires at
    /// the next check even after hours of healthy traffic, and the alert resolves at most one window after the outage
    /// ends. From 5 seconds to 15 minutes. Default 5 minutes. The Prometheus rules use it as their range.
    /// </summary>
    [Bounds(typeof(TimeSpan), "00:00:05", ApiMonitoringAlertOptionsValidator.MaxWindowText, "must be from 5 seconds to 15 minutes")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether an open circuit fires an alert (<c>circuit_open</c>; it resolves once the break has elapsed and the circuit
    /// would admit a trial, HALF-OPEN, or closed). Default true.
    /// </summary>
    public bool CircuitOpen { get; set; } = true;

    /// <summary>
    /// The spend rate, in USD per hour over the last <see cref="Window"/>, above which <c>spend_rate</c> fires for a
    /// backend; only backends with a price table (<c>ApiMonitoringOptions.Pricing</c>) have one. Greater than 0, at most
    /// 1,000,000. Default null: no spend alert.
    /// </summary>
    [Bounds(0.0, ApiMonitoringAlertOptionsValidator.MaxSpendPerHourBudget, "must be greater than 0 and at most 1,000,000 USD per hour (or unset for no spend alert)", MinimumIsExclusive = true)]
    public double? SpendPerHourBudget { get; set; }

    /// <summary>
    /// The share of a provider's rate limit left in its current window (<c>remaining / limit</c>, from the latest
    /// response headers, the lowest of the kinds it sent) below which an alert fires (<c>rate_limit_headroom</c>);
    /// from 0 to 1 (0 never fires). Default 0.1. A kind whose window has reset since is not counted.
    /// </summary>
    [Bounds(0.0, 1.0, "must be from 0 to 1")]
    public double RateLimitHeadroom { get; set; } = 0.1;

    /// <summary>
    /// These thresholds as a Prometheus alerting rules file (YAML, group <c>resilience-metrics</c>: <c>ApiHighErrorRate</c>,
    /// <c>ApiHighP95Latency</c>, <c>ApiLargeQueue</c>, <c>ApiCircuitOpen</c> and, with a spend budget,
    /// <c>ApiHighSpendRate</c>), over the series <see cref="IMetricsReporter.GetPrometheusMetrics"/> emits. Every rule waits
    /// <c>for:</c> <see cref="CheckInterval"/>; error rate and P95 latency are computed over <see cref="Window"/>, summed
    /// across instances. Load it with <c>rule_files:</c> in <c>prometheus.yml</c>; <c>MapApiMonitoring()</c> serves it at
    /// <c>/alert-rules.yml</c>.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public string ToPrometheusRules() => ApiMonitoringAlertRules.ToPrometheusYaml(this);
}
