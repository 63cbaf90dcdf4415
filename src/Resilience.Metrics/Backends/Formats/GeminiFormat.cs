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
        new(f.GeminiPromptTokens, Completion(f), f.GeminiCachedTokens, f.GeminiThoughtsTokens);

    /// <summary>
    /// Gemini's output tokens: <c>candidatesTokenCount</c> leaves the thinking out (<c>totalTokenCount</c> is prompt +
    /// candidates + thoughts, and thoughts are billed as output), so the thoughts are added and completion tokens mean
    /// the same for every provider, reasoning a part of them.
    /// </summary>
    public static long Completion(in UsageFields f) =>
        f.GeminiCandidatesTokens < 0 ? -1 : f.GeminiCandidatesTokens + Math.Max(f.GeminiThoughtsTokens, 0);

    protected override string? ResponseModel(in UsageFields f) => f.ModelVersion;
}
