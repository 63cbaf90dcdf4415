namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Ollama"/>: <c>prompt_eval_count</c>/<c>eval_count</c>, NDJSON streams ending with <c>"done": true</c>.</summary>
internal sealed class OllamaFormat : ApiFormatDescriptor
{
    /// <summary>Ollama's default port.</summary>
    public const int DefaultPort = 11434;

    public override ApiFormat Format => ApiFormat.Ollama;

    public override string? ProviderName => "ollama";

    public override UsageFieldGroups Fields =>
        UsageFieldGroups.OllamaCounts | UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.EndMarkers;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        uri.Port == DefaultPort
        || path.EndsWith("/api/generate", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/api/chat", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/api/embed", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/api/embeddings", StringComparison.OrdinalIgnoreCase);

    // Ollama's OpenAI-compatible endpoints answer with an OpenAI usage object.
    protected override TokenFields Counts(in UsageFields f) =>
        new(First(f.OllamaPromptEvalCount, f.UsagePromptTokens), First(f.OllamaEvalCount, f.UsageCompletionTokens));
}
