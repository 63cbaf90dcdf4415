namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Generic"/>: an unknown JSON API, searched for the fields of every known shape.</summary>
internal sealed class GenericFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.Generic;

    // OpenTelemetry's value for an unknown provider is the backend's own name (see ApiMonitoringOptions).
    public override string? ProviderName => null;

    public override UsageFieldGroups Fields => UsageFieldGroups.All;

    // Gemini and OVMS name the model in the URL's models/{model}:action.
    public override string? ModelFromUrl(ReadOnlySpan<char> path) => UrlModels.FromActionPath(path);

    protected override TokenFields Counts(in UsageFields f) => new(
        First(First(f.UsagePromptTokens, AnthropicFormat.WholePrompt(f)), First(f.GeminiPromptTokens, First(f.OllamaPromptEvalCount, f.TgiPrefillTokens))),
        First(First(f.UsageCompletionTokens, f.UsageOutputTokens), First(f.GeminiCandidatesTokens, First(f.OllamaEvalCount, f.TgiGeneratedTokens))),
        First(f.UsageCachedTokens, First(f.UsageCacheReadInputTokens, f.GeminiCachedTokens)),
        First(f.UsageReasoningTokens, f.GeminiThoughtsTokens),
        f.UsageCacheCreationInputTokens);

    protected override string? ResponseModel(in UsageFields f) => f.Model ?? f.ModelVersion;
}
