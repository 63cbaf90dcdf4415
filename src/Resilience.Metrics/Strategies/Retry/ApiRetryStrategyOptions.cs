using Polly;

namespace Resilience.Metrics;

/// <summary>
/// Retries of transient outcomes (408, 429, 5xx, network errors, attempt timeouts; never 400 / 401 / 403) with
/// exponential backoff: <c>InitialRetryDelay × BackoffFactor^n</c>, capped at <see cref="MaxRetryDelay"/>, jittered,
/// or the delay a 429 / 503 response asks for in Retry-After.
/// </summary>
public sealed class ApiRetryStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates the options with their defaults.</summary>
    public ApiRetryStrategyOptions() => Name = DefaultName;

    /// <summary>The strategy's name unless set otherwise: how Polly's telemetry tells it apart.</summary>
    public const string DefaultName = "ApiRetry";

    /// <summary>Whether failed attempts are retried at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Retries after the first attempt, at most. Default 3; 0 turns retries off.</summary>
    [Bounds(0, 100, "must be from 0 to 100")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The delay before the first retry. Default 1 s.</summary>
    [Bounds(typeof(TimeSpan), "00:00:00", "1.00:00:00", "must be from 0 to 1 day")]
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Each retry waits this many times longer than the previous one; from 1 to 100. Default 2.</summary>
    [Bounds(1.0, 100.0, "must be from 1 to 100")]
    public double BackoffFactor { get; set; } = 2.0;

    /// <summary>The longest delay, Retry-After included; at least <see cref="InitialRetryDelay"/>. Default 30 s.</summary>
    [Bounds(typeof(TimeSpan), "00:00:00", "1.00:00:00", "must be from 0 to 1 day")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether delays are spread by ±20 % so clients do not retry in lockstep. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>A copy, so a strategy never depends on (or changes) the caller's instance.</summary>
    internal ApiRetryStrategyOptions Copy() => (ApiRetryStrategyOptions)MemberwiseClone();
}
