using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Resilience.Metrics;

namespace Resilience.Metrics.AspNetCore;

/// <summary>Thresholds of the monitoring health check.</summary>
public sealed class ApiMonitoringHealthCheckOptions
{
    /// <summary>An error rate (failed / requests since start or reset) above this makes a backend Degraded. Default 0.05 (the guide's alert threshold).</summary>
    public double DegradedErrorRate { get; set; } = 0.05;
}

/// <summary>
/// One check over every monitored backend: Healthy when all circuits are closed and error rates are under the
/// threshold, Degraded when a circuit is half-open or an error rate is over it, Unhealthy when a circuit is open.
/// Each backend's state is in the result's data.
/// </summary>
internal sealed class ApiMonitoringHealthCheck(IMetricsReporter reporter, IOptions<ApiMonitoringHealthCheckOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var threshold = options.Value.DegradedErrorRate;
        var worst = HealthStatus.Healthy;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var backend in reporter.Backends)
        {
            var circuit = reporter.GetCircuitBreakerMetrics(backend).CurrentState;
            var errorRate = reporter.GetErrorMetrics(backend).ErrorRate;
            var status = circuit switch
            {
                "OPEN" => HealthStatus.Unhealthy,
                "HALF-OPEN" => HealthStatus.Degraded,
                _ when errorRate > threshold => HealthStatus.Degraded,
                _ => HealthStatus.Healthy,
            };

            data[backend] = $"{status}: circuit {circuit}, error rate {errorRate:P1}";
            if (status != HealthStatus.Healthy)
            {
                problems.Add($"{backend} is {status} (circuit {circuit}, error rate {errorRate:P1})");
            }

            if (status < worst)
            {
                worst = status;
            }
        }

        var description = problems.Count == 0 ? "All monitored backends are healthy." : string.Join("; ", problems);
        return Task.FromResult(new HealthCheckResult(worst, description, data: data));
    }
}
