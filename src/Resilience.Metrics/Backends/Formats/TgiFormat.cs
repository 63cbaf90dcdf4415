namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.HuggingFaceTgi"/>: <c>details.generated_tokens</c>, prompt tokens from <c>details.prefill</c>.</summary>
internal sealed class TgiFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.HuggingFaceTgi;

    public override string? ProviderName => "huggingface";

    public override string OperationName => "text_completion";

    public override UsageFieldGroups Fields =>
        UsageFieldGroups.TgiDetails | UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.EndMarkers;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        path.EndsWith("/generate", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/generate_stream", StringComparison.OrdinalIgnoreCase);

    public override string? ModelFromUrl(ReadOnlySpan<char> path) => UrlModels.FromHuggingFacePath(path);

    // TGI's Messages API (/v1/chat/completions) answers with an OpenAI usage object.
    protected override TokenFields Counts(in UsageFields f) =>
        new(First(f.TgiPrefillTokens, f.UsagePromptTokens), First(f.TgiGeneratedTokens, f.UsageCompletionTokens));
}
