using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience.Metrics.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the monitoring health check.</summary>
public static class ApiMonitoringHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check, <paramref name="name"/>, over every monitored backend: Healthy (circuits closed),
    /// Degraded (a circuit half-open, or an error rate over <see cref="ApiMonitoringHealthCheckOptions.DegradedErrorRate"/>),
    /// Unhealthy (a circuit open).
    /// </summary>
    public static IHealthChecksBuilder AddApiMonitoringHealthChecks(
        this IHealthChecksBuilder builder,
        Action<ApiMonitoringHealthCheckOptions>? configure = null,
        string name = "api-monitoring",
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddApiMonitoring();
        var options = builder.Services.AddOptions<ApiMonitoringHealthCheckOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.DegradedErrorRate is >= 0 and <= 1, "ApiMonitoringHealthCheckOptions.DegradedErrorRate must be from 0 to 1.").ValidateOnStart();
        return builder.AddCheck<ApiMonitoringHealthCheck>(name, HealthStatus.Unhealthy, tags ?? []);
    }
}
