namespace Resilience.Metrics;

/// <summary>
/// The alert thresholds, with the monitoring guide's defaults (<c>error_rate</c> 0.05, <c>p95_latency</c> 1000 ms,
/// <c>queue_size</c> 50, checked every minute). A value strictly above its threshold fires. Validated at start-up.
/// Bindable from configuration (<c>AddApiMonitoringAlerts(configuration.GetSection("ApiMonitoring:Alerts"))</c>).
/// </summary>
public sealed class ApiMonitoringAlertOptions
{
    /// <summary>The error rate (failed requests / requests, since start or the last reset) above which an alert fires; from 0 to 1 (1 never fires). Default 0.05.</summary>
    public double ErrorRate { get; set; } = 0.05;

    /// <summary>The 95th latency percentile above which an alert fires; greater than zero, at most 1 day. Default 1 second.</summary>
    public TimeSpan P95Latency { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The number of waiting requests above which an alert fires; 0 or more. Default 50.</summary>
    public int QueueSize { get; set; } = 50;

    /// <summary>
    /// How often backends are checked; from 1 second to 1 day. Default 1 minute. The Prometheus rules use it as
    /// their <c>for:</c> duration.
    /// </summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
