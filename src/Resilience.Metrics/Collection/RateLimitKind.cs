namespace Resilience.Metrics;

/// <summary>The kinds of provider rate limit the headers describe, in report order.</summary>
internal enum RateLimitKind
{
    Requests,
    Tokens,
    InputTokens,
    OutputTokens,
}
