namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Ovms"/>: OpenVINO Model Server; the model in the URL, an OpenAI <c>usage</c> when present.</summary>
internal sealed class OvmsFormat : OpenAICompatibleFormat
{
    public override ApiFormat Format => ApiFormat.Ovms;

    public override string? ProviderName => "openvino";

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        path.Contains(":predict", StringComparison.OrdinalIgnoreCase)
        || (path.Contains("/v1/models/", StringComparison.OrdinalIgnoreCase) && path.Contains("/versions/", StringComparison.OrdinalIgnoreCase))
        || path.Contains("/v2/models/", StringComparison.OrdinalIgnoreCase);

    public override string? ModelFromUrl(ReadOnlySpan<char> path) => UrlModels.FromActionPath(path) ?? UrlModels.FromModelSegment(path);
}
