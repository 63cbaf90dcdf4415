namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.HuggingFaceTei"/>: embeddings; an OpenAI-compatible <c>usage</c> when present.</summary>
internal sealed class TeiFormat : OpenAICompatibleFormat
{
    public override ApiFormat Format => ApiFormat.HuggingFaceTei;

    public override string? ProviderName => "huggingface";

    public override string OperationName => "embeddings";

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        path.EndsWith("/embed", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/embed_all", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("/embed_sparse", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/rerank", StringComparison.OrdinalIgnoreCase);

    public override string? ModelFromUrl(ReadOnlySpan<char> path) => UrlModels.FromHuggingFacePath(path);
}
