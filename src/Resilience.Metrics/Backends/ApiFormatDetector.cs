namespace Resilience.Metrics;

/// <summary>
/// Chooses the <see cref="ApiFormat"/> of a request from its URL, for <see cref="ApiFormat.Auto"/>.
/// </summary>
/// <remarks>
/// Detection looks at spans of the URL only (no allocation, a handful of ordinal comparisons), so it is cheap enough to
/// run per request. Each format's descriptor says which URLs are its own; they are tried in
/// <see cref="ApiFormats.DetectionOrder"/>, first match wins:
/// <list type="number">
/// <item>A <c>*.openai.azure.com</c> host or an <c>/openai/deployments/</c> path → <see cref="ApiFormat.AzureOpenAI"/>.</item>
/// <item><c>api.groq.com</c> → <see cref="ApiFormat.Groq"/>.</item>
/// <item>Paths ending <c>/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/embeddings</c> or <c>/v1/responses</c> →
/// <see cref="ApiFormat.OpenAI"/>: every server that answers these paths (Ollama, TGI, vLLM, Gemini's and Anthropic's
/// compatibility endpoints) answers in OpenAI's shape.</item>
/// <item><c>api.openai.com</c> → OpenAI; <c>api.anthropic.com</c> → Anthropic;
/// <c>generativelanguage.googleapis.com</c> → Gemini.</item>
/// <item>S3 hosts (<c>s3.…</c>, <c>*.s3.amazonaws.com</c>, <c>*.s3.{region}.amazonaws.com</c>,
/// <c>*.s3-….amazonaws.com</c>) → S3.</item>
/// <item>Port 11434, or a path ending <c>/api/generate</c>, <c>/api/chat</c>, <c>/api/embed</c>,
/// <c>/api/embeddings</c> → Ollama.</item>
/// <item>A path with <c>:predict</c>, <c>/v1/models/…/versions/…</c> or KServe <c>/v2/models/…</c> → OVMS.</item>
/// <item>A path ending <c>/generate</c> or <c>/generate_stream</c> → Hugging Face TGI.</item>
/// <item>A path ending <c>/embed</c>, <c>/embed_all</c>, <c>/embed_sparse</c> or <c>/rerank</c> → Hugging Face TEI.</item>
/// <item>Anything else → <see cref="ApiFormat.Generic"/>.</item>
/// </list>
/// </remarks>
internal static class ApiFormatDetector
{
    /// <summary>Ollama's default port.</summary>
    public const int OllamaPort = OllamaFormat.DefaultPort;

    /// <summary>Detects the format of a request URL.</summary>
    /// <param name="uri">The request URI; <see langword="null"/> or relative gives <see cref="ApiFormat.Generic"/>.</param>
    /// <returns>The detected format; never <see cref="ApiFormat.Auto"/>.</returns>
    public static ApiFormat Detect(Uri? uri)
    {
        if (!UriParts.TryGetHostAndPath(uri, out ReadOnlySpan<char> host, out ReadOnlySpan<char> path))
        {
            return ApiFormat.Generic;
        }

        path = path.TrimEnd('/');
        foreach (ApiFormatDescriptor format in ApiFormats.DetectionOrder)
        {
            if (format.Matches(host, path, uri!))
            {
                return format.Format;
            }
        }

        return ApiFormat.Generic;
    }
}
