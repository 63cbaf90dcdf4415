using Polly;

namespace Resilience.Metrics;

/// <summary>
/// The guide's circuit breaker, run by Polly's. It opens after <see cref="FailureThreshold"/> transient failures
/// with no success among them within <see cref="SamplingDuration"/> (Polly: <c>FailureRatio = 1</c>,
/// <c>MinimumThroughput = FailureThreshold</c>), stays open for <see cref="ResetTimeout"/> (Polly's
/// <c>BreakDuration</c>), then lets one trial request through (half-open; Polly's breaker admits exactly one, so there is no option for
/// it): success closes it, failure opens it again.
/// </summary>
public sealed class ApiCircuitBreakerStrategyOptions : ResilienceStrategyOptions
{
    internal const int MaxFailureThresholdLimit = 10_000;

    /// <summary>Creates the options with the guide's defaults.</summary>
    public ApiCircuitBreakerStrategyOptions() => Name = DefaultName;

    /// <summary>The strategy's name unless set otherwise: how Polly's telemetry tells it apart.</summary>
    public const string DefaultName = "ApiCircuitBreaker";

    /// <summary>Whether the backend has a circuit breaker at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failures in a row (within the sampling duration) that open the circuit. Default 5; from 2 (Polly's minimum throughput) to 10,000.</summary>
    [Bounds(2, MaxFailureThresholdLimit, "must be from 2 (Polly's minimum throughput) to 10,000")]
    public int FailureThreshold { get; set; } = BackendRegistration.DefaultFailureThreshold;

    /// <summary>How long the circuit stays open before a trial request. Default 30 s; from 0.5 s to 1 day.</summary>
    [Bounds(typeof(TimeSpan), "00:00:00.500", "1.00:00:00", "must be from 0.5 seconds to 1 day")]
    public TimeSpan ResetTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The window failures are counted in. Default 30 s; from 0.5 s to 1 day.</summary>
    [Bounds(typeof(TimeSpan), "00:00:00.500", "1.00:00:00", "must be from 0.5 seconds to 1 day")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
}
