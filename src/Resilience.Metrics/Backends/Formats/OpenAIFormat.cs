namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.OpenAI"/>: api.openai.com, and every server answering OpenAI-compatible paths.</summary>
internal sealed class OpenAIFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.OpenAI;

    public override string? ProviderName => "openai";

    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        IsCompatiblePath(path) || host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>Paths only OpenAI-compatible servers answer.</summary>
    public static bool IsCompatiblePath(ReadOnlySpan<char> path) =>
        path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/v1/completions", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/v1/embeddings", StringComparison.OrdinalIgnoreCase);

    protected override TokenFields Counts(in UsageFields f) => OpenAIUsage(f);
}
