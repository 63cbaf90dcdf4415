using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace Resilience.Metrics;

/// <summary>
/// The seam between HTTP and the backend formats: tells the monitoring strategy which model a request is for and what
/// token usage its response reports, without ever changing what the caller sends, receives or sees thrown by the
/// monitoring itself.
/// </summary>
/// <remarks>
/// Thread-safe and stateless apart from its settings: one instance serves a whole backend. The common paths allocate
/// nothing: a model set with <see cref="ApiRequestExtensions.SetApiModel(HttpRequestMessage, string)"/>, <see cref="ApiFormat.Auto"/> detection,
/// and a response that is not JSON or a stream.
/// </remarks>
internal sealed class HttpUsageExtractor
{
    /// <summary>The default size limit of a JSON body read, and of one stream line: 1 MiB.</summary>
    public const int DefaultMaxJsonBodyBytes = 1 << 20;

    /// <summary>Creates an extractor.</summary>
    /// <param name="format">The backend's format; <see cref="ApiFormat.Auto"/> detects it per request from the URL.</param>
    /// <param name="maxJsonBodyBytes">The largest JSON body read (request or response), and the longest stream line.</param>
    public HttpUsageExtractor(ApiFormat format = ApiFormat.Auto, int maxJsonBodyBytes = DefaultMaxJsonBodyBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxJsonBodyBytes);
        Format = format;
        MaxJsonBodyBytes = maxJsonBodyBytes;
    }

    /// <summary>Gets the configured format.</summary>
    public ApiFormat Format { get; }

    /// <summary>Gets the largest JSON body read.</summary>
    public int MaxJsonBodyBytes { get; }

    /// <summary>
    /// Gets the format a request is read with: the configured one; for <see cref="ApiFormat.Auto"/> the one its URL
    /// says, and <see cref="ApiFormat.S3"/> for a request of unknown URL signed the AWS way (object storage, never usage).
    /// </summary>
    public ApiFormat ResolveFormat(HttpRequestMessage request)
    {
        if (Format != ApiFormat.Auto)
        {
            return Format;
        }

        ApiFormat format = ApiFormatDetector.Detect(request.RequestUri);
        return format == ApiFormat.Generic && IsAwsSigned(request.Headers) ? ApiFormat.S3 : format;
    }

    /// <summary>
    /// Gets the request's content when its model can only be read once it is buffered: a body that is not in memory,
    /// may hold JSON and declares a length of at most <see cref="MaxJsonBodyBytes"/> (an SDK's own content type, such
    /// as the OpenAI SDK's). Buffering it once (<see cref="HttpContent.LoadIntoBufferAsync()"/>) also makes it
    /// re-sendable. A body of unknown length is never buffered: its model is not read.
    /// </summary>
    public HttpContent? ContentToBuffer(HttpRequestMessage request, ApiFormat format)
    {
        HttpContent? content = request.Content;
        // A named model (request.SetApiModel) does not spare the buffering: the body must still be re-sendable by a retry.
        if (content is null or ByteArrayContent or ReadOnlyMemoryContent || format == ApiFormat.S3 || !MayHoldJson(content.Headers))
        {
            return null;
        }

        try
        {
            return content.Headers.ContentLength is long length && length > 0 && length <= MaxJsonBodyBytes ? content : null;
        }
#pragma warning disable CA1031 // Monitoring must never break the caller's request (a content's own length computation may throw).
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Whether the request carries AWS Signature V4 headers (S3 and every other AWS API).</summary>
    private static bool IsAwsSigned(HttpRequestHeaders headers) =>
        headers.NonValidated.Contains("x-amz-date") || headers.NonValidated.Contains("x-amz-content-sha256");

    /// <summary>Whether a response comes from an AWS service or an S3-compatible store (their request id headers).</summary>
    private static bool IsAwsResponse(HttpResponseMessage response) =>
        response.Headers.NonValidated.Contains("x-amz-request-id") || response.Headers.NonValidated.Contains("x-amz-id-2");

    /// <summary>
    /// Gets the model a request is for: the model set with <see cref="ApiRequestExtensions.SetApiModel(HttpRequestMessage, string)"/> first (no
    /// allocation), then the URL (Gemini, OVMS, Hugging Face shapes), then the top-level <c>"model"</c> of the body when
    /// the body is in memory (<see cref="ByteArrayContent"/>, <see cref="StringContent"/>,
    /// <see cref="ReadOnlyMemoryContent"/>) and at most <see cref="MaxJsonBodyBytes"/> long. The body is read without
    /// being consumed or changed; streamed and serialize-on-demand contents are never read.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="format">The format; <see cref="ApiFormat.Auto"/> detects it from the URL.</param>
    /// <param name="buffered">Whether the request's content was loaded into its buffer (<see cref="ContentToBuffer"/>), so it can be read in place.</param>
    /// <returns>The model, or <see langword="null"/>. Never throws for any request content.</returns>
    /// <param name="modelHint">The model the last request named: an equal name is returned as this very string, so a
    /// steady model allocates nothing.</param>
    public string? GetRequestModel(HttpRequestMessage request, ApiFormat format, bool buffered = false, string? modelHint = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ModelExtractor.TryGetNamedModel(request, out string? explicitModel))
        {
            return explicitModel;
        }

        try
        {
            if (format == ApiFormat.Auto)
            {
                format = ApiFormatDetector.Detect(request.RequestUri);
            }

            if (format == ApiFormat.S3)
            {
                return null;
            }

            string? model = ModelExtractor.FromUrl(format, request.RequestUri);
            if (model is not null)
            {
                return model;
            }

            HttpContent? content = request.Content;
            if (content is null || !(buffered || content is ByteArrayContent or ReadOnlyMemoryContent) || !MayHoldJson(content.Headers))
            {
                return null;
            }

            return BufferedBodyReader.ReadModel(content, MaxJsonBodyBytes, modelHint);
        }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>
    /// Reads, or arranges to read, the token usage of a response.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>A JSON response (<c>application/json</c>, <c>*/*+json</c>) with a Content-Length of at most
    /// <see cref="MaxJsonBodyBytes"/> is loaded into its buffer (as <see cref="HttpClient"/> does by default) and read;
    /// the usage is returned. The caller still reads the whole body as before. An exception while loading the body is
    /// the response's own transport failure (or cancellation through <paramref name="cancellationToken"/>) and
    /// propagates unchanged, as it would have when the caller read the body.</item>
    /// <item>A <c>text/event-stream</c> or <c>application/x-ndjson</c> response, or JSON of unknown length: the content
    /// is replaced by a wrapper (same headers) that passes every byte, read, exception and disposal through unchanged
    /// and reads the usage as the caller reads; the result is <c>default</c>, <paramref name="observed"/> is set, and
    /// the sink <paramref name="sinkFactory"/> makes hears the first byte, the chunks and, once, the end of the body
    /// (or its disposal before the end). The sink is made only for such a body: the common responses allocate nothing
    /// for it. Stream lines and unknown-length JSON are held up to <see cref="MaxJsonBodyBytes"/>, never more.</item>
    /// <item>Anything else (other media types, a compressed body the handler did not decompress, larger JSON,
    /// <see cref="ApiFormat.S3"/>): nothing is done and nothing allocated.</item>
    /// </list>
    /// Malformed bodies give no usage (a buffered JSON body's part between its model and its top-level usage is not
    /// checked: <see cref="ResponseUsageReader.TryReadComplete"/>); no exception from reading ever reaches the caller.
    /// </remarks>
    /// <param name="response">The response.</param>
    /// <param name="format">The format; <see cref="ApiFormat.Auto"/> detects it from the request URL.</param>
    /// <param name="sinkFactory">Makes the sink of a body read as the caller reads it.</param>
    /// <param name="state">What <paramref name="sinkFactory"/> makes the sink from.</param>
    /// <param name="modelHint">The model name the response most likely names (the one seen last): an equal name is
    /// returned as this very string, so a steady model allocates nothing.</param>
    /// <param name="observed">Set when the body is observed as the caller reads it: its sink hears its end later.</param>
    /// <param name="cancellationToken">Cancels loading a JSON body.</param>
    /// <returns>The usage of a buffered JSON body; <c>default</c> otherwise.</returns>
    public ValueTask<TokenUsage> InspectResponseAsync<TState>(
        HttpResponseMessage response,
        ApiFormat format,
        Func<TState, IResponseBodySink?> sinkFactory,
        TState state,
        string? modelHint,
        out bool observed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(sinkFactory);
        observed = false;
        try
        {
            // S3 bodies carry no usage: a format known to be S3 skips even the header lookups.
            HttpContent? content = response.Content;
            if (content is null or UsageObservingContent || format == ApiFormat.S3)
            {
                return default;
            }

            // The media type first: it rejects most responses without looking at the URL (and content without any
            // header, such as an empty body, without even a header lookup).
            HttpContentHeaders headers = content.Headers;
            ObservedBodyKind? kind = headers.NonValidated.Count == 0 ? null : ClassifyMediaType(headers);
            if (kind is null || IsEncoded(headers))
            {
                return default;
            }

            if (format == ApiFormat.Auto)
            {
                format = ApiFormatDetector.Detect(response.RequestMessage?.RequestUri);
                if (format == ApiFormat.S3)
                {
                    return default;
                }
            }

            // An unknown API answering from object storage (S3-compatible stores send AWS request ids) holds files, not usage.
            if (format == ApiFormat.Generic && IsAwsResponse(response))
            {
                return default;
            }

            if (kind == ObservedBodyKind.Json && headers.ContentLength is long length)
            {
                if (length <= 0 || length > MaxJsonBodyBytes)
                {
                    return default;
                }

                // Content that is already in memory is read in place; anything else is loaded into its buffer first.
                return content is ByteArrayContent or ReadOnlyMemoryContent
                    ? new ValueTask<TokenUsage>(BufferedBodyReader.TryReadUsage(content, format, MaxJsonBodyBytes, out TokenUsage usage, readModel: true, modelHint) ? usage : default)
                    : LoadAndReadAsync(content, format, modelHint, cancellationToken);
            }

            var observer = new ResponseBodyObserver(format, kind.Value, MaxJsonBodyBytes, sinkFactory(state), modelHint);
            try
            {
                response.Content = new UsageObservingContent(content, observer);
            }
            catch
            {
                // Not attached: the request is recorded now, so this observer must never end it (its finalizer would).
                observer.Discard();
                throw;
            }

            observed = true;
            return default;
        }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
        catch (Exception)
#pragma warning restore CA1031
        {
            return default;
        }
    }

    // Pooled: every request whose response arrives asynchronously passes here (no state machine allocated per request).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TokenUsage> LoadAndReadAsync(HttpContent content, ApiFormat format, string? modelHint, CancellationToken cancellationToken)
    {
        await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return BufferedBodyReader.TryReadUsage(content, format, MaxJsonBodyBytes, out TokenUsage usage, readModel: true, modelHint) ? usage : default;
        }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
        catch (Exception)
#pragma warning restore CA1031
        {
            return default;
        }
    }

    /// <summary>Reads the media type from the raw Content-Type header (no parsing, no allocation).</summary>
    internal static ObservedBodyKind? ClassifyMediaType(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Type", out HeaderStringValues values))
        {
            return null;
        }

        foreach (string value in values)
        {
            return ClassifyMediaType(value);
        }

        return null;
    }

    /// <summary>Classifies a Content-Type value: event stream, NDJSON, JSON, or none of them.</summary>
    internal static ObservedBodyKind? ClassifyMediaType(ReadOnlySpan<char> contentType)
    {
        int semicolon = contentType.IndexOf(';');
        ReadOnlySpan<char> media = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim();
        if (media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return ObservedBodyKind.EventStream;
        }

        if (media.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-jsonlines", StringComparison.OrdinalIgnoreCase))
        {
            return ObservedBodyKind.NewlineDelimitedJson;
        }

        if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || (media.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && media.Contains('/')))
        {
            return ObservedBodyKind.Json;
        }

        return null;
    }

    /// <summary>Whether the body is still compressed: a Content-Encoding other than <c>identity</c> is left on the content.</summary>
    private static bool IsEncoded(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Encoding", out HeaderStringValues values))
        {
            return false;
        }

        foreach (string value in values)
        {
            if (!value.AsSpan().Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A request body worth reading for a model: JSON, text (<see cref="StringContent"/>'s default), or untyped.</summary>
    private static bool MayHoldJson(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Type", out HeaderStringValues values))
        {
            return true;
        }

        foreach (string value in values)
        {
            ReadOnlySpan<char> media = value.AsSpan();
            int semicolon = media.IndexOf(';');
            media = (semicolon >= 0 ? media[..semicolon] : media).Trim();
            return ClassifyMediaType(media) == ObservedBodyKind.Json
                || media.StartsWith("text/", StringComparison.OrdinalIgnoreCase);
        }

        return true;
    }
}
