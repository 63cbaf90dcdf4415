namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.OpenAI"/>: api.openai.com, and every server answering OpenAI-compatible paths.</summary>
internal sealed class OpenAIFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.OpenAI;

    public override string? ProviderName => "openai";

    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        IsCompatiblePath(path) || host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>The GenAI operation of an OpenAI-shaped path: <c>embeddings</c>, <c>text_completion</c> or <c>chat</c>.</summary>
    public static string Operation(ReadOnlySpan<char> path)
    {
        path = path.TrimEnd('/');
        return path.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase) ? "embeddings"
            : path.EndsWith("/completions", StringComparison.OrdinalIgnoreCase) && !path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase) ? "text_completion"
            : "chat";
    }

    /// <summary>Paths only OpenAI-compatible servers answer.</summary>
    public static bool IsCompatiblePath(ReadOnlySpan<char> path) =>
        path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/v1/completions", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/v1/embeddings", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/v1/responses", StringComparison.OrdinalIgnoreCase);

    public override string OperationOf(ReadOnlySpan<char> path) => OpenAIFormat.Operation(path);

    protected override TokenFields Counts(in UsageFields f) => OpenAIUsage(f);
}
