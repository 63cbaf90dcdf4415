using System.Text.Json.Serialization;

namespace Resilience.Metrics;

/// <summary>One kind of provider rate limit, as the latest response said it.</summary>
public sealed record RateLimitMetrics
{
    /// <summary>The limit per window; null when the provider did not send it.</summary>
    public long? Limit { get; init; }

    /// <summary>What is left of the limit in the current window; null when the provider did not send it.</summary>
    public long? Remaining { get; init; }

    /// <summary>
    /// Seconds from the report's time to the reset the provider announced (0 once it has passed); null when no reset
    /// was sent.
    /// </summary>
    public double? ResetSeconds { get; init; }

    /// <summary>When the values were seen; the JSON report writes it in Unix seconds. The Unix epoch (0) when not set.</summary>
    public DateTimeOffset ObservedAt { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary><see cref="Remaining"/> divided by <see cref="Limit"/>, from 0 to 1 (capped); null without both or with a limit of 0.</summary>
    [JsonIgnore]
    public double? Headroom => Limit is > 0 && Remaining is { } remaining ? Math.Min(1, (double)remaining / Limit.Value) : null;
}
