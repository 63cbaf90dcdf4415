using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience.Metrics;
using Resilience.Metrics.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the monitoring health check.</summary>
public static class ApiMonitoringHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check, <paramref name="name"/>, over every monitored backend: Healthy (circuits closed, recent
    /// error rates under <see cref="ApiMonitoringHealthCheckOptions.DegradedErrorRate"/>), Degraded (a circuit half-open
    /// or, by default, open; an error rate over the threshold). <paramref name="failureStatus"/> (default Unhealthy) is
    /// what a check that throws reports, and what an open circuit reports when
    /// <see cref="ApiMonitoringHealthCheckOptions.OpenCircuitStatus"/> is null. <paramref name="tags"/> select the check
    /// in <c>MapHealthChecks</c> predicates (readiness, say).
    /// </summary>
    public static IHealthChecksBuilder AddApiMonitoringHealthChecks(
        this IHealthChecksBuilder builder,
        Action<ApiMonitoringHealthCheckOptions>? configure = null,
        string name = "api-monitoring",
        IEnumerable<string>? tags = null,
        HealthStatus? failureStatus = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddApiMonitoring();
        var options = builder.Services.AddOptions<ApiMonitoringHealthCheckOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.DegradedErrorRate is >= 0 and <= 1, "ApiMonitoringHealthCheckOptions.DegradedErrorRate must be from 0 to 1.")
            .Validate(o => o.Window >= TimeSpan.FromSeconds(5) && o.Window <= MetricsReporter.MaxWindow, "ApiMonitoringHealthCheckOptions.Window must be from 5 seconds to 15 minutes.")
            .Validate(o => o.DegradedRateLimitHeadroom is >= 0 and <= 1, "ApiMonitoringHealthCheckOptions.DegradedRateLimitHeadroom must be from 0 to 1.")
            .ValidateOnStart();
        return builder.AddCheck<ApiMonitoringHealthCheck>(name, failureStatus, tags ?? []);
    }
}
