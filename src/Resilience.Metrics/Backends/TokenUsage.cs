namespace Resilience.Metrics;

/// <summary>
/// The token counts and model name read from one backend response (or one streamed response).
/// A count the response did not carry is 0.
/// </summary>
/// <param name="PromptTokens">Input (prompt) tokens the backend reported.</param>
/// <param name="CompletionTokens">Output (completion, generated) tokens the backend reported.</param>
/// <param name="Model">The model the backend says answered, or <see langword="null"/>.</param>
internal readonly record struct TokenUsage(long PromptTokens, long CompletionTokens, string? Model)
{
    /// <summary>Gets the prompt tokens served from the provider's prompt cache (part of <see cref="PromptTokens"/>).</summary>
    public long CachedTokens { get; init; }

    /// <summary>Gets the prompt tokens written to the provider's prompt cache (part of <see cref="PromptTokens"/>; Anthropic <c>cache_creation_input_tokens</c>).</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Gets the completion tokens spent on reasoning (part of <see cref="CompletionTokens"/>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets a value indicating whether any token count is above zero.</summary>
    public bool HasTokens => PromptTokens > 0 || CompletionTokens > 0;

    /// <summary>Gets a value indicating whether nothing at all was found (no tokens and no model).</summary>
    public bool IsEmpty => !HasTokens && Model is null;

    /// <summary>Gets the sum of prompt and completion tokens.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;
}
