using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Metrics.AspNetCore;

/// <summary>Thresholds of the monitoring health check.</summary>
public sealed class ApiMonitoringHealthCheckOptions
{
    /// <summary>An error rate (failed / requests over the last <see cref="Window"/>) above this makes a backend Degraded. Default 0.05 (the guide's alert threshold).</summary>
    public double DegradedErrorRate { get; set; } = 0.05;

    /// <summary>The window the error rate is computed over, from 5 seconds to 15 minutes. Default 5 minutes, so health recovers after an incident.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// What an open circuit makes a backend: <see cref="HealthStatus.Degraded"/> by default (the app still answers, and
    /// restarting it would not mend the backend); null for the registration's <c>failureStatus</c>. A circuit whose break
    /// has elapsed is half-open (it would admit a trial) and makes a backend Degraded.
    /// </summary>
    public HealthStatus? OpenCircuitStatus { get; set; } = HealthStatus.Degraded;

    /// <summary>
    /// A provider rate limit with less than this share left in its window (<c>remaining / limit</c> from the latest
    /// response headers, the lowest kind) makes a backend Degraded; from 0 to 1 (0 never does). Default 0.1, the alert's.
    /// </summary>
    public double DegradedRateLimitHeadroom { get; set; } = 0.1;
}
