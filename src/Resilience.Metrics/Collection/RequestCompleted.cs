namespace Resilience.Metrics;

/// <summary>A request finished, successfully or not: the one event per request, sent by the outermost strategy.</summary>
/// <param name="Backend">The backend the request went to.</param>
public readonly record struct RequestCompleted(BackendKey Backend)
{
    /// <summary>The model, when known.</summary>
    public string? Model { get; init; }

    /// <summary>End-to-end latency, queue time and retries included; for a streamed response, up to the end of its body.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Whether the request succeeded.</summary>
    public bool Succeeded { get; init; }

    /// <summary>The final error's category; <see cref="ErrorCategory.None"/> on success.</summary>
    public ErrorCategory ErrorCategory { get; init; }

    /// <summary>The final error's type (OpenTelemetry <c>error.type</c>: exception type name or status code).</summary>
    public string? ErrorType { get; init; }

    /// <summary>How many attempts were made; more than one means the request was retried.</summary>
    public int Attempts { get; init; }

    /// <summary>Prompt (input) tokens, when the response reported them.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Completion (output) tokens, when the response reported them.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>Prompt tokens served from the provider's prompt cache (a part of <see cref="PromptTokens"/>).</summary>
    public long CachedTokens { get; init; }

    /// <summary>
    /// Prompt tokens written to the provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>; a part of
    /// <see cref="PromptTokens"/>, apart from <see cref="CachedTokens"/>): priced at <see cref="ModelPrice.CacheWriteInputPerMillion"/>.
    /// </summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Completion tokens spent on reasoning (a part of <see cref="CompletionTokens"/>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>
    /// The model the response says answered (often a dated snapshot of <see cref="Model"/>, such as
    /// <c>gpt-4o-mini-2024-07-18</c>), when it named one: OpenTelemetry's <c>gen_ai.response.model</c>.
    /// </summary>
    public string? ResponseModel { get; init; }

    /// <summary>For a streamed response: the time from the request's start to the first chunk of its body the caller read.</summary>
    public TimeSpan? TimeToFirstChunk { get; init; }

    /// <summary>For a streamed response of two chunks or more: the mean time between its chunks after the first.</summary>
    public TimeSpan? TimePerOutputChunk { get; init; }

    /// <summary>
    /// The retry number a client put on the wire for this request (the Stainless SDKs' <c>x-stainless-retry-count</c>:
    /// Anthropic's, OpenAI's). Above 0 the request is a retry attempt of a logical request already counted, not a new
    /// request: it adds a retry attempt, and when it succeeds the logical request turns from failed to successful.
    /// </summary>
    public int ClientRetryNumber { get; init; }

    /// <summary>The trace to keep, when request tracing is on; null otherwise.</summary>
    public RequestTrace? Trace { get; init; }
}
