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
    /// <summary>Gets a value indicating whether any token count is above zero.</summary>
    public bool HasTokens => PromptTokens > 0 || CompletionTokens > 0;

    /// <summary>Gets a value indicating whether nothing at all was found (no tokens and no model).</summary>
    public bool IsEmpty => !HasTokens && Model is null;

    /// <summary>Gets the sum of prompt and completion tokens.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;
}
