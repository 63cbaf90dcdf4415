using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics.AspNetCore;

/// <summary>
/// One check over every monitored backend: Healthy when all circuits are closed and recent error rates are under the
/// threshold; Degraded when a circuit is half-open or an error rate is over it; an open circuit gives
/// <see cref="ApiMonitoringHealthCheckOptions.OpenCircuitStatus"/>. The result is the worst backend's; each backend's
/// figures are in the result's data, under its name.
/// </summary>
internal sealed class ApiMonitoringHealthCheck(IMetricsReporter reporter, IOptions<ApiMonitoringHealthCheckOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var openStatus = settings.OpenCircuitStatus ?? context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var worst = HealthStatus.Healthy;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var backend in reporter.Backends)
        {
            var breaker = reporter.GetCircuitBreakerMetrics(backend);
            var state = breaker.CurrentState;
            var circuit = breaker.CurrentStateName;
            var recent = reporter.GetWindowMetrics(backend, settings.Window);
            // A reporter of the application's own may return null: no headroom known.
            var headroom = reporter.GetRateLimits(backend)?.LowestHeadroom;
            var lowHeadroom = headroom?.Headroom < settings.DegradedRateLimitHeadroom;
            var status = state switch
            {
                CircuitState.Open => openStatus,
                CircuitState.HalfOpen => HealthStatus.Degraded,
                _ when recent.ErrorRate > settings.DegradedErrorRate => HealthStatus.Degraded,
                _ when lowHeadroom => HealthStatus.Degraded,
                _ => HealthStatus.Healthy,
            };

            data[backend] = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["status"] = status.ToString(),
                ["circuit"] = circuit,
                ["error_rate"] = recent.ErrorRate,
                ["requests"] = recent.Requests,
                ["window_seconds"] = recent.WindowSeconds,
            };
            if (headroom is { } lowest)
            {
                // The scarcest kind of the provider's rate limit, and how much of it is left.
                var entry = (Dictionary<string, object>)data[backend];
                entry["rate_limit_kind"] = lowest.Kind;
                entry["rate_limit_headroom"] = lowest.Headroom;
            }
            if (status != HealthStatus.Healthy)
            {
                problems.Add(lowHeadroom
                    ? string.Create(CultureInfo.InvariantCulture, $"{backend} is {status} (circuit {circuit}, error rate {recent.ErrorRate:P1} over {recent.WindowSeconds:F0} s, {headroom!.Value.Headroom:P1} of its {headroom.Value.Kind} rate limit left)")
                    : string.Create(CultureInfo.InvariantCulture, $"{backend} is {status} (circuit {circuit}, error rate {recent.ErrorRate:P1} over {recent.WindowSeconds:F0} s)"));
            }

            if (status < worst)
            {
                worst = status;
            }
        }

        var description = problems.Count == 0 ? "All monitored backends are healthy." : string.Join("; ", problems);
        return Task.FromResult(new HealthCheckResult(worst, description, data: data));
    }

    // The names the reports print, so the health data reads as the JSON report does.
}
