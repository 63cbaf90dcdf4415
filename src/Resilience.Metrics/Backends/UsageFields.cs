namespace Resilience.Metrics;

/// <summary>
/// Everything <see cref="ResponseUsageReader"/> found in one JSON document (or, merged, in a whole stream), field by
/// field. A count of -1 means "not present"; <see cref="ResponseUsageReader.Resolve"/> turns it into a
/// <see cref="TokenUsage"/> for a format.
/// </summary>
internal struct UsageFields
{
    /// <summary><c>usage.prompt_tokens</c> (OpenAI shape).</summary>
    public long UsagePromptTokens;

    /// <summary><c>usage.completion_tokens</c> (OpenAI shape).</summary>
    public long UsageCompletionTokens;

    /// <summary><c>usage.input_tokens</c> (Anthropic, OpenAI Responses API).</summary>
    public long UsageInputTokens;

    /// <summary><c>usage.output_tokens</c> (Anthropic, OpenAI Responses API).</summary>
    public long UsageOutputTokens;

    /// <summary><c>usageMetadata.promptTokenCount</c> (Gemini).</summary>
    public long GeminiPromptTokens;

    /// <summary><c>usageMetadata.candidatesTokenCount</c> (Gemini).</summary>
    public long GeminiCandidatesTokens;

    /// <summary>Top-level <c>prompt_eval_count</c> (Ollama).</summary>
    public long OllamaPromptEvalCount;

    /// <summary>Top-level <c>eval_count</c> (Ollama).</summary>
    public long OllamaEvalCount;

    /// <summary><c>details.generated_tokens</c> (TGI).</summary>
    public long TgiGeneratedTokens;

    /// <summary>The length of <c>details.prefill</c> (TGI, when the server returned the prompt tokens).</summary>
    public long TgiPrefillTokens;

    /// <summary><c>usage.prompt_tokens_details.cached_tokens</c> or <c>usage.input_tokens_details.cached_tokens</c> (OpenAI).</summary>
    public long UsageCachedTokens;

    /// <summary><c>usage.completion_tokens_details.reasoning_tokens</c> or <c>usage.output_tokens_details.reasoning_tokens</c> (OpenAI).</summary>
    public long UsageReasoningTokens;

    /// <summary><c>usage.cache_read_input_tokens</c> (Anthropic: not part of <c>input_tokens</c>).</summary>
    public long UsageCacheReadInputTokens;

    /// <summary><c>usage.cache_creation_input_tokens</c> (Anthropic: not part of <c>input_tokens</c>).</summary>
    public long UsageCacheCreationInputTokens;

    /// <summary><c>usageMetadata.cachedContentTokenCount</c> (Gemini).</summary>
    public long GeminiCachedTokens;

    /// <summary><c>usageMetadata.thoughtsTokenCount</c> (Gemini).</summary>
    public long GeminiThoughtsTokens;

    /// <summary>A model name the body most likely names (the last one seen): an equal name reuses this string.</summary>
    public string? ModelHint;

    /// <summary>Top-level <c>model</c>, or the <c>model</c> of a <c>message</c>/<c>response</c> wrapper.</summary>
    public string? Model;

    /// <summary>Top-level <c>modelVersion</c> (Gemini).</summary>
    public string? ModelVersion;

    /// <summary>A stream end marker was seen: Ollama <c>"done": true</c>, Anthropic <c>message_stop</c>, TGI final <c>details</c>.</summary>
    public bool EndOfStream;

    /// <summary>Gets a value with every field absent.</summary>
    public static UsageFields Empty => new()
    {
        UsagePromptTokens = -1,
        UsageCompletionTokens = -1,
        UsageInputTokens = -1,
        UsageOutputTokens = -1,
        GeminiPromptTokens = -1,
        GeminiCandidatesTokens = -1,
        OllamaPromptEvalCount = -1,
        OllamaEvalCount = -1,
        TgiGeneratedTokens = -1,
        TgiPrefillTokens = -1,
        UsageCachedTokens = -1,
        UsageReasoningTokens = -1,
        UsageCacheReadInputTokens = -1,
        UsageCacheCreationInputTokens = -1,
        GeminiCachedTokens = -1,
        GeminiThoughtsTokens = -1,
    };

    /// <summary>Overwrites this value's fields with every field <paramref name="later"/> has (later chunks win).</summary>
    public void MergeFrom(in UsageFields later)
    {
        Take(ref UsagePromptTokens, later.UsagePromptTokens);
        Take(ref UsageCompletionTokens, later.UsageCompletionTokens);
        Take(ref UsageInputTokens, later.UsageInputTokens);
        Take(ref UsageOutputTokens, later.UsageOutputTokens);
        Take(ref GeminiPromptTokens, later.GeminiPromptTokens);
        Take(ref GeminiCandidatesTokens, later.GeminiCandidatesTokens);
        Take(ref OllamaPromptEvalCount, later.OllamaPromptEvalCount);
        Take(ref OllamaEvalCount, later.OllamaEvalCount);
        Take(ref TgiGeneratedTokens, later.TgiGeneratedTokens);
        Take(ref TgiPrefillTokens, later.TgiPrefillTokens);
        Take(ref UsageCachedTokens, later.UsageCachedTokens);
        Take(ref UsageReasoningTokens, later.UsageReasoningTokens);
        Take(ref UsageCacheReadInputTokens, later.UsageCacheReadInputTokens);
        Take(ref UsageCacheCreationInputTokens, later.UsageCacheCreationInputTokens);
        Take(ref GeminiCachedTokens, later.GeminiCachedTokens);
        Take(ref GeminiThoughtsTokens, later.GeminiThoughtsTokens);
        Model = later.Model ?? Model;
        ModelVersion = later.ModelVersion ?? ModelVersion;
        EndOfStream |= later.EndOfStream;

        static void Take(ref long field, long value)
        {
            if (value >= 0)
            {
                field = value;
            }
        }
    }
}
