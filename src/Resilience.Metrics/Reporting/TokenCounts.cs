namespace Resilience.Metrics;

/// <summary>Token totals.</summary>
/// <param name="Prompt">Prompt (input) tokens, cached and cache-write ones included.</param>
/// <param name="Completion">Completion (output) tokens, reasoning ones included.</param>
public sealed record TokenCounts(long Prompt, long Completion)
{
    /// <summary>Prompt tokens served from the provider's prompt cache (OpenAI <c>cached_tokens</c>, Anthropic
    /// <c>cache_read_input_tokens</c>, Gemini <c>cachedContentTokenCount</c>): a part of <see cref="Prompt"/>.</summary>
    public long Cached { get; init; }

    /// <summary>Completion tokens spent on reasoning (OpenAI <c>reasoning_tokens</c>, Gemini <c>thoughtsTokenCount</c>):
    /// a part of <see cref="Completion"/>.</summary>
    public long Reasoning { get; init; }

    /// <summary>Prompt tokens written to the provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>): a part
    /// of <see cref="Prompt"/>, apart from <see cref="Cached"/>, as every known API reports them (an unknown API's body is
    /// taken as given; its cost never counts more than <see cref="Prompt"/>). Priced at
    /// <see cref="ModelPrice.CacheWriteInputPerMillion"/>.</summary>
    public long CacheWrite { get; init; }
}
