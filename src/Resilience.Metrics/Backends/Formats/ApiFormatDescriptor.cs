namespace Resilience.Metrics;

/// <summary>
/// Everything the monitoring knows of one API format, in one place: how <see cref="ApiFormat.Auto"/> recognises its
/// URLs, where a request names its model, which usage fields its JSON bodies and streams carry and how they make the
/// token counts, and its OpenTelemetry GenAI names. One generic reader (<see cref="ResponseUsageReader"/>,
/// <see cref="EventStreamUsageParser"/>) is driven by these answers.
/// </summary>
/// <remarks>A new format is a new subclass, an <see cref="ApiFormat"/> member and its place in <see cref="ApiFormats"/>.</remarks>
internal abstract class ApiFormatDescriptor
{
    /// <summary>Gets the format described.</summary>
    public abstract ApiFormat Format { get; }

    /// <summary>Gets <c>gen_ai.provider.name</c>: the convention's well-known value; null for an API that is no GenAI API.</summary>
    public abstract string? ProviderName { get; }

    /// <summary>Gets <c>gen_ai.operation.name</c>.</summary>
    public virtual string OperationName => "chat";

    /// <summary>The <c>gen_ai.operation.name</c> of one request, for formats whose paths tell operations apart.</summary>
    public virtual string OperationOf(ReadOnlySpan<char> path) => OperationName;

    /// <summary>Gets a value indicating whether responses are read at all (false for object storage).</summary>
    public virtual bool ReadsResponses => true;

    /// <summary>Gets the groups of JSON fields the generic reader looks for in this format's bodies.</summary>
    public abstract UsageFieldGroups Fields { get; }

    /// <summary>Whether a request URL is of this format (for <see cref="ApiFormat.Auto"/>; tried in <see cref="ApiFormats.DetectionOrder"/>).</summary>
    /// <param name="host">The URL's host.</param>
    /// <param name="path">The URL's path, without a trailing slash.</param>
    /// <param name="uri">The whole URL (its port is read only when asked: it may be computed lazily).</param>
    public virtual bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) => false;

    /// <summary>The model a request URL names, for formats whose URLs carry it.</summary>
    public virtual string? ModelFromUrl(ReadOnlySpan<char> path) => null;

    /// <summary>Turns the fields the reader found into this format's token counts and model.</summary>
    /// <returns><see langword="true"/> when at least one token count or the model was found.</returns>
    public bool Resolve(in UsageFields fields, out TokenUsage usage)
    {
        var counts = Counts(fields);
        var model = ResponseModel(fields);
        usage = new TokenUsage(Math.Max(counts.Prompt, 0), Math.Max(counts.Completion, 0), model)
        {
            CachedTokens = Math.Max(counts.Cached, 0),
            CacheWriteTokens = Math.Max(counts.CacheWrite, 0),
            ReasoningTokens = Math.Max(counts.Reasoning, 0),
        };
        return counts.Prompt >= 0 || counts.Completion >= 0 || model is not null;
    }

    /// <summary>The token counts of this format's fields; -1 where absent.</summary>
    protected abstract TokenFields Counts(in UsageFields f);

    /// <summary>The model the response names.</summary>
    protected virtual string? ResponseModel(in UsageFields f) => f.Model;

    /// <summary>The first of two counts that is present.</summary>
    protected static long First(long a, long b) => a >= 0 ? a : b;

    /// <summary>
    /// A <c>usage</c> object of any of the shapes OpenAI-like servers send: OpenAI's Chat Completions, the Responses
    /// API's <c>input_tokens</c>/<c>output_tokens</c>, and the cache fields Claude's shape adds
    /// (<c>cache_read_input_tokens</c>, <c>cache_creation_input_tokens</c>): beside <c>prompt_tokens</c>, which already
    /// includes them (LiteLLM in front of Claude), or beside <c>input_tokens</c>, which leaves them out (Anthropic's own
    /// body, <see cref="AnthropicFormat.WholePrompt"/>).
    /// </summary>
    protected static TokenFields OpenAIUsage(in UsageFields f) => new(
        First(f.UsagePromptTokens, AnthropicFormat.WholePrompt(f)),
        First(f.UsageCompletionTokens, f.UsageOutputTokens),
        First(f.UsageCachedTokens, f.UsageCacheReadInputTokens),
        f.UsageReasoningTokens,
        f.UsageCacheCreationInputTokens);

    /// <summary>Token counts as a format reports them: -1 where absent.</summary>
    protected readonly record struct TokenFields(long Prompt, long Completion, long Cached = -1, long Reasoning = -1, long CacheWrite = -1);
}
