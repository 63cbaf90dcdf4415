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
