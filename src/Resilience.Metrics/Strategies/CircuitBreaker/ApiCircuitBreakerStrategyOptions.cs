using System.ComponentModel.DataAnnotations;
using Polly;

namespace Resilience.Metrics;

/// <summary>
/// The guide's circuit breaker, run by Polly's. It opens after <see cref="FailureThreshold"/> transient failures
/// with no success among them within <see cref="SamplingDuration"/> (Polly: <c>FailureRatio = 1</c>,
/// <c>MinimumThroughput = FailureThreshold</c>), stays open for <see cref="ResetTimeout"/> (Polly's
/// <c>BreakDuration</c>), then lets a trial request through (half-open): success closes it, failure opens it again.
/// </summary>
public sealed class ApiCircuitBreakerStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates the options with the guide's defaults.</summary>
    public ApiCircuitBreakerStrategyOptions() => Name = DefaultName;

    /// <summary>The strategy's name unless set otherwise: how Polly's telemetry tells it apart.</summary>
    public const string DefaultName = "ApiCircuitBreaker";

    /// <summary>Whether the backend has a circuit breaker at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failures in a row (within the sampling duration) that open the circuit. Default 5; at least 2 (Polly's minimum throughput).</summary>
    [Range(2, int.MaxValue)]
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long the circuit stays open before a trial request. Default 30 s; at least 0.5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan ResetTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Trial requests admitted while half-open. Polly's breaker admits one, so 1 is the only value. Default 1.</summary>
    [Range(1, 1)]
    public int HalfOpenMaxRequests { get; set; } = 1;

    /// <summary>The window failures are counted in. Default 30 s; at least 0.5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
}
