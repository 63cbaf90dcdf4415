namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Gemini"/>: the model in the URL, <c>usageMetadata</c> (running totals in a stream), <c>modelVersion</c>.</summary>
internal sealed class GeminiFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.Gemini;

    public override string? ProviderName => "gcp.gemini";

    public override UsageFieldGroups Fields => UsageFieldGroups.UsageMetadata | UsageFieldGroups.ModelVersion;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        host.Equals("generativelanguage.googleapis.com", StringComparison.OrdinalIgnoreCase);

    public override string? ModelFromUrl(ReadOnlySpan<char> path) => UrlModels.FromActionPath(path);

    protected override TokenFields Counts(in UsageFields f) =>
        new(f.GeminiPromptTokens, f.GeminiCandidatesTokens, f.GeminiCachedTokens, f.GeminiThoughtsTokens);

    protected override string? ResponseModel(in UsageFields f) => f.ModelVersion;
}
