using System.Text.Json.Serialization;

namespace Resilience.Metrics;

/// <summary>
/// A backend's provider rate limits as its latest responses' headers told them (<c>rate_limits</c> in the JSON report):
/// one entry per kind the provider sent (<c>requests</c>, <c>tokens</c>, <c>input_tokens</c>, <c>output_tokens</c>);
/// kinds never sent are null and left out of the JSON. Per backend, not per model.
/// </summary>
public sealed record RateLimitsReport
{
    /// <summary>No rate-limit headers seen.</summary>
    public static RateLimitsReport None { get; } = new();

    /// <summary>Requests per window (OpenAI, Groq, Anthropic).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitMetrics? Requests { get; init; }

    /// <summary>Tokens per window (OpenAI, Groq; Anthropic's most restrictive token limit).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitMetrics? Tokens { get; init; }

    /// <summary>Input tokens per window (Anthropic).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitMetrics? InputTokens { get; init; }

    /// <summary>Output tokens per window (Anthropic).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitMetrics? OutputTokens { get; init; }

    /// <summary>Seconds until the last <c>retry-after</c> (or <c>retry-after-ms</c>) said to try again; null once passed or when none came.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RetryAfterSeconds { get; init; }

    /// <summary>Rate-limit headers that were malformed, negative or absurd and were ignored, since the backend was registered.</summary>
    public long MalformedHeaders { get; init; }

    /// <summary>The kinds present, with their report names (<c>requests</c>, <c>input_tokens</c>, ...), in report order.</summary>
    [JsonIgnore]
    public IEnumerable<(string Kind, RateLimitMetrics Metrics)> Kinds
    {
        get
        {
            if (Requests is { } requests)
            {
                yield return ("requests", requests);
            }

            if (Tokens is { } tokens)
            {
                yield return ("tokens", tokens);
            }

            if (InputTokens is { } input)
            {
                yield return ("input_tokens", input);
            }

            if (OutputTokens is { } output)
            {
                yield return ("output_tokens", output);
            }
        }
    }

    /// <summary>
    /// The smallest <see cref="RateLimitMetrics.Headroom"/> among the kinds whose window has not reset yet (a window that
    /// has reset is full again, whatever the last response said); null when none is known.
    /// </summary>
    [JsonIgnore]
    public (string Kind, double Headroom)? LowestHeadroom
    {
        get
        {
            (string, double)? lowest = null;
            foreach (var (kind, metrics) in Kinds)
            {
                if (metrics.Headroom is { } headroom && metrics.ResetSeconds is not 0 && (lowest is null || headroom < lowest.Value.Item2))
                {
                    lowest = (kind, headroom);
                }
            }

            return lowest;
        }
    }
}

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

/// <summary>Turns a backend's <see cref="RateLimitState"/> into its report at a given time.</summary>
internal static class RateLimitFigures
{
    public static RateLimitsReport Read(RateLimitState state, DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        var retryUntil = state.RetryUntilUtcTicks;
        var malformed = state.Malformed;
        var requests = Kind(state, RateLimitKind.Requests, nowTicks);
        var tokens = Kind(state, RateLimitKind.Tokens, nowTicks);
        var input = Kind(state, RateLimitKind.InputTokens, nowTicks);
        var output = Kind(state, RateLimitKind.OutputTokens, nowTicks);
        if (requests is null && tokens is null && input is null && output is null && retryUntil < 0 && malformed == 0)
        {
            return RateLimitsReport.None;
        }

        return new RateLimitsReport
        {
            Requests = requests,
            Tokens = tokens,
            InputTokens = input,
            OutputTokens = output,
            RetryAfterSeconds = retryUntil > nowTicks ? Seconds(retryUntil - nowTicks) : null,
            MalformedHeaders = malformed,
        };
    }

    private static RateLimitMetrics? Kind(RateLimitState state, RateLimitKind kind, long nowTicks)
    {
        if (!state[kind].TryRead(out var value))
        {
            return null;
        }

        return new RateLimitMetrics
        {
            Limit = value.Limit >= 0 ? value.Limit : null,
            Remaining = value.Remaining >= 0 ? value.Remaining : null,
            ResetSeconds = value.ResetUtcTicks >= 0 ? Seconds(Math.Max(0, value.ResetUtcTicks - nowTicks)) : null,
            // Clamped: the ticks come from whatever clock the collector was given, and a DateTimeOffset must not throw mid-report.
            ObservedAt = new DateTimeOffset(Math.Clamp(value.ObservedUtcTicks, 0, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero),
        };
    }

    // Milliseconds precision, as the report's other times.
    private static double Seconds(long ticks) => Math.Round(ticks / (double)TimeSpan.TicksPerSecond, 3);
}
