namespace Resilience.Metrics;

/// <summary>
/// Chooses the <see cref="ApiFormat"/> of a request from its URL, for <see cref="ApiFormat.Auto"/>.
/// </summary>
/// <remarks>
/// Detection looks at spans of the URL only (no allocation, a handful of ordinal comparisons), so it is cheap enough to
/// run per request. Rules, first match wins:
/// <list type="number">
/// <item><c>api.groq.com</c> → <see cref="ApiFormat.Groq"/>.</item>
/// <item>Paths ending <c>/chat/completions</c>, <c>/v1/completions</c> or <c>/v1/embeddings</c> →
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
    public const int OllamaPort = 11434;

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

        if (host.Equals("api.groq.com", StringComparison.OrdinalIgnoreCase))
        {
            return ApiFormat.Groq;
        }

        if (EndsWith(path, "/chat/completions") || EndsWith(path, "/v1/completions") || EndsWith(path, "/v1/embeddings"))
        {
            return ApiFormat.OpenAI;
        }

        if (host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase))
        {
            return ApiFormat.OpenAI;
        }

        if (host.Equals("api.anthropic.com", StringComparison.OrdinalIgnoreCase))
        {
            return ApiFormat.Anthropic;
        }

        if (host.Equals("generativelanguage.googleapis.com", StringComparison.OrdinalIgnoreCase))
        {
            return ApiFormat.Gemini;
        }

        if (IsS3Host(host))
        {
            return ApiFormat.S3;
        }

        if (uri!.Port == OllamaPort
            || EndsWith(path, "/api/generate") || EndsWith(path, "/api/chat")
            || EndsWith(path, "/api/embed") || EndsWith(path, "/api/embeddings"))
        {
            return ApiFormat.Ollama;
        }

        if (path.Contains(":predict", StringComparison.OrdinalIgnoreCase)
            || (path.Contains("/v1/models/", StringComparison.OrdinalIgnoreCase) && path.Contains("/versions/", StringComparison.OrdinalIgnoreCase))
            || path.Contains("/v2/models/", StringComparison.OrdinalIgnoreCase))
        {
            return ApiFormat.Ovms;
        }

        if (EndsWith(path, "/generate") || EndsWith(path, "/generate_stream"))
        {
            return ApiFormat.HuggingFaceTgi;
        }

        if (EndsWith(path, "/embed") || EndsWith(path, "/embed_all") || EndsWith(path, "/embed_sparse") || EndsWith(path, "/rerank"))
        {
            return ApiFormat.HuggingFaceTei;
        }

        return ApiFormat.Generic;
    }

    private static bool EndsWith(ReadOnlySpan<char> path, string suffix) =>
        path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);

    private static bool IsS3Host(ReadOnlySpan<char> host)
    {
        if (host.StartsWith("s3.", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
            && (host.StartsWith("s3-", StringComparison.OrdinalIgnoreCase)
                || host.Contains(".s3.", StringComparison.OrdinalIgnoreCase)
                || host.Contains(".s3-", StringComparison.OrdinalIgnoreCase));
    }
}
