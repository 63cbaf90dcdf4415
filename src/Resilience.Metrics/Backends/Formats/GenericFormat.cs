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

    // A usage object read as the OpenAI-shaped formats read it, then Gemini's, Ollama's and TGI's counts.
    protected override TokenFields Counts(in UsageFields f)
    {
        var usage = OpenAIUsage(f);
        return new(
            First(usage.Prompt, First(f.GeminiPromptTokens, First(f.OllamaPromptEvalCount, f.TgiPrefillTokens))),
            First(usage.Completion, First(GeminiFormat.Completion(f), First(f.OllamaEvalCount, f.TgiGeneratedTokens))),
            First(usage.Cached, f.GeminiCachedTokens),
            First(usage.Reasoning, f.GeminiThoughtsTokens),
            usage.CacheWrite);
    }

    protected override string? ResponseModel(in UsageFields f) => f.Model ?? f.ModelVersion;
}
