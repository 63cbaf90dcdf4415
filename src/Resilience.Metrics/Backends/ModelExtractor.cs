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

    /// <summary>The request option that holds the model a caller named (<c>request.SetApiModel(...)</c>).</summary>
    public static readonly HttpRequestOptionsKey<string> NamedModelOption = new("Resilience.Metrics.Model");

    /// <summary>The model the caller named on the request, if any (an empty one counts as none).</summary>
    public static bool TryGetNamedModel(HttpRequestMessage request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? model)
    {
        if (request.Options.TryGetValue(NamedModelOption, out model) && !string.IsNullOrEmpty(model))
        {
            return true;
        }

        model = null;
        return false;
    }

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = ResponseUsageReader.MaxDepth };

    /// <summary>
    /// Reads the model from the URL shapes that carry one (the format's <see cref="ApiFormatDescriptor.ModelFromUrl"/>):
    /// Gemini <c>models/{model}:generateContent</c> (any <c>:action</c>), OVMS <c>v1/models/{model}:predict</c>,
    /// <c>v1/models/{model}/versions/{v}:predict</c>, <c>v2/models/{model}/infer</c>, Hugging Face inference
    /// <c>models/{id}</c> where the id may be <c>org/name</c>, Azure OpenAI <c>openai/deployments/{deployment}/…</c>.
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

        return ApiFormats.Get(format).ModelFromUrl(path);
    }

    /// <summary>
    /// Reads the top-level <c>"model"</c> string of a JSON object (an OpenAI, Anthropic, Groq, Ollama… request body).
    /// Nested objects and arrays are skipped, reading stops as soon as the model is found, and malformed input gives
    /// <see langword="null"/>.
    /// </summary>
    /// <param name="utf8Json">The body, UTF-8.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    /// <param name="hint">The model the last request named: an equal name is returned as this very string.</param>
    public static string? FromJsonBody(ReadOnlySpan<byte> utf8Json, string? hint = null)
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

                    return reader.TokenType == JsonTokenType.String ? ResponseUsageReader.ReadModelString(ref reader, hint) : null;
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

}
