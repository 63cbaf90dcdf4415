using System.Text.Json;

namespace Resilience.Metrics;

/// <summary>
/// Reads the model a request is for from its URL or from its JSON body.
/// </summary>
internal static class ModelExtractor
{
    /// <summary>
    /// Model names longer than this are ignored: no real model name comes close, and such a value would only bloat
    /// per-model metrics and labels.
    /// </summary>
    public const int MaxModelLength = TextLimits.MaxNameLength;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = ResponseUsageReader.MaxDepth };

    /// <summary>
    /// Reads the model from the URL shapes that carry one: Gemini <c>models/{model}:generateContent</c> (any
    /// <c>:action</c>), OVMS <c>v1/models/{model}:predict</c>, <c>v1/models/{model}/versions/{v}:predict</c>,
    /// <c>v2/models/{model}/infer</c>, and Hugging Face inference <c>models/{id}</c> where the id may be
    /// <c>org/name</c>.
    /// </summary>
    /// <param name="format">The format of the backend (<see cref="ApiFormat.Auto"/> detects it from the URL).
    /// <see cref="ApiFormat.Generic"/> accepts the Gemini and OVMS <c>models/{model}:action</c> shapes.</param>
    /// <param name="uri">The request URI.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    public static string? FromUrl(ApiFormat format, Uri? uri)
    {
        if (!UriParts.TryGetHostAndPath(uri, out _, out ReadOnlySpan<char> path))
        {
            return null;
        }

        if (format == ApiFormat.Auto)
        {
            format = ApiFormatDetector.Detect(uri);
        }

        return format switch
        {
            ApiFormat.Gemini or ApiFormat.Generic => FromActionPath(path),
            ApiFormat.Ovms => FromActionPath(path) ?? FromModelSegment(path),
            ApiFormat.HuggingFaceTgi or ApiFormat.HuggingFaceTei => FromHuggingFacePath(path),
            _ => null,
        };
    }

    /// <summary>
    /// Reads the top-level <c>"model"</c> string of a JSON object (an OpenAI, Anthropic, Groq, Ollama… request body).
    /// Nested objects and arrays are skipped, reading stops as soon as the model is found, and malformed input gives
    /// <see langword="null"/>.
    /// </summary>
    /// <param name="utf8Json">The body, UTF-8.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    public static string? FromJsonBody(ReadOnlySpan<byte> utf8Json)
    {
        utf8Json = ResponseUsageReader.TrimUtf8Bom(utf8Json);
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    if (!reader.Read())
                    {
                        return null;
                    }

                    return reader.TokenType == JsonTokenType.String ? ResponseUsageReader.ReadModelString(ref reader, hint: null) : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary><c>…/models/{model}:action</c> or <c>…/models/{model}/versions/{version}:action</c>.</summary>
    private static string? FromActionPath(ReadOnlySpan<char> path)
    {
        int lastSlash = path.LastIndexOf('/');
        if (lastSlash < 0)
        {
            return null;
        }

        ReadOnlySpan<char> last = path[(lastSlash + 1)..];
        int colon = last.IndexOf(':');
        if (colon <= 0 || colon == last.Length - 1)
        {
            return null;
        }

        ReadOnlySpan<char> name = last[..colon];
        ReadOnlySpan<char> parent = path[..lastSlash];
        if (EndsWithSegment(parent, "versions"))
        {
            // {model}/versions/{version}:action
            parent = parent[..^"versions".Length].TrimEnd('/');
            int modelSlash = parent.LastIndexOf('/');
            if (modelSlash < 0)
            {
                return null;
            }

            name = parent[(modelSlash + 1)..];
            parent = parent[..modelSlash];
        }

        return EndsWithSegment(parent, "models") ? ToModel(name) : null;
    }

    /// <summary>The segment after <c>/models/</c> up to the next <c>/</c> or <c>:</c> (OVMS status, metadata, KServe).</summary>
    private static string? FromModelSegment(ReadOnlySpan<char> path)
    {
        int index = path.IndexOf("/models/", StringComparison.Ordinal);
        if (index < 0)
        {
            return null;
        }

        ReadOnlySpan<char> rest = path[(index + "/models/".Length)..];
        int end = rest.IndexOfAny('/', ':');
        return ToModel(end >= 0 ? rest[..end] : rest);
    }

    /// <summary><c>…/models/{id}</c>, <c>…/models/{org}/{name}</c>, optionally followed by an API path.</summary>
    private static string? FromHuggingFacePath(ReadOnlySpan<char> path)
    {
        int index = path.IndexOf("/models/", StringComparison.Ordinal);
        if (index < 0)
        {
            return null;
        }

        ReadOnlySpan<char> rest = path[(index + "/models/".Length)..].TrimEnd('/');
        int firstSlash = rest.IndexOf('/');
        if (firstSlash < 0)
        {
            return ToModel(rest);
        }

        ReadOnlySpan<char> second = rest[(firstSlash + 1)..];
        int secondSlash = second.IndexOf('/');
        ReadOnlySpan<char> secondSegment = secondSlash >= 0 ? second[..secondSlash] : second;
        if (secondSegment.IsEmpty || IsApiPathWord(secondSegment))
        {
            return ToModel(rest[..firstSlash]);
        }

        return ToModel(rest[..(firstSlash + 1 + secondSegment.Length)]);
    }

    private static bool IsApiPathWord(ReadOnlySpan<char> segment) =>
        segment is "pipeline" or "v1" or "v2" or "generate" or "generate_stream" or "embed" or "embed_all"
            or "embed_sparse" or "rerank" or "predict" or "tokenize" or "info" or "health" or "metrics" or "chat"
            or "completions" or "embeddings";

    private static bool EndsWithSegment(ReadOnlySpan<char> path, string segment) =>
        path.EndsWith(segment, StringComparison.Ordinal)
        && (path.Length == segment.Length || path[path.Length - segment.Length - 1] == '/');

    private static string? ToModel(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxModelLength * 3)
        {
            return null;
        }

        string model = name.ToString();
        if (name.Contains('%'))
        {
            model = Uri.UnescapeDataString(model);
        }

        return model.Length is > 0 and <= MaxModelLength ? model : null;
    }
}
