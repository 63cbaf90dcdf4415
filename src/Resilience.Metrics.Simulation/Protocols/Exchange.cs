using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>One request being answered: its parsed body, the numbers it will report, and the response writers.</summary>
internal sealed class Exchange : IDisposable
{
    private JsonDocument? _document;
    private int _chunksSent;

    public Exchange(HttpContext http, BackendControl control, ServerState server, CancellationToken aborted)
    {
        Http = http;
        Control = control;
        Server = server;
        Aborted = aborted;
    }

    public HttpContext Http { get; }

    public BackendControl Control { get; }

    public ServerState Server { get; }

    /// <summary>Cancelled when the client aborts or the server stops.</summary>
    public CancellationToken Aborted { get; }

    public JsonElement Body => _document?.RootElement ?? default;

    public string Model { get; set; } = "";

    public bool Stream { get; set; }

    public bool IncludeUsage { get; set; }

    /// <summary>TGI's <c>parameters.details</c>.</summary>
    public bool Details { get; set; }

    /// <summary>Route-specific state read by <see cref="ApiHandler.ReadAsync"/> for the response (an S3 object).</summary>
    public object? State { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; private set; }

    /// <summary>True when the request's token limit cut the generation short.</summary>
    public bool LengthLimited { get; private set; }

    /// <summary>Set by a <see cref="SimulatedFaultKind.TruncatedStream"/> fault.</summary>
    public int? TruncateAfterChunks { get; set; }

    public long Created => Server.Time.GetUtcNow().ToUnixTimeSeconds();

    public string RouteValue(string name) =>
        Convert.ToString(Http.Request.RouteValues[name], CultureInfo.InvariantCulture) ?? "";

    /// <summary>Reads the body as JSON (an object or array); invalid JSON is a 400.</summary>
    public async ValueTask ReadJsonAsync()
    {
        try
        {
            _document = await JsonDocument.ParseAsync(Http.Request.Body, default, Aborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new BadRequestException(400, "Could not parse the JSON body of your request: " + e.Message);
        }
    }

    /// <summary>Sets <see cref="CompletionTokens"/> from the control and the request's own limit.</summary>
    public void LimitCompletion(int? maxTokens)
    {
        var configured = Control.CompletionTokens;
        if (maxTokens is { } max && max < configured)
        {
            CompletionTokens = Math.Max(0, max);
            LengthLimited = true;
        }
        else
        {
            CompletionTokens = configured;
            LengthLimited = false;
        }
    }

    public string NewId(string prefix) => prefix + Server.NextId().ToString("x12", CultureInfo.InvariantCulture);

    /// <summary>Sends a whole (buffered) body; a truncation fault sends half of it and aborts.</summary>
    public async Task SendAsync(byte[] body, string contentType = "application/json", int status = 200)
    {
        var response = Http.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (TruncateAfterChunks is not null)
        {
            await response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), Aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(Aborted).ConfigureAwait(false);
            throw new TruncatedException();
        }

        await response.Body.WriteAsync(body, Aborted).ConfigureAwait(false);
    }

    /// <summary>Starts a streamed 200 response.</summary>
    public async Task StartStreamAsync(string contentType)
    {
        var response = Http.Response;
        response.StatusCode = 200;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(Aborted).ConfigureAwait(false);
    }

    /// <summary>Sends one stream chunk and flushes it, pausing <see cref="BackendControl.StreamChunkDelay"/> between chunks.</summary>
    public async Task SendChunkAsync(byte[] chunk)
    {
        if (_chunksSent > 0)
        {
            var delay = Control.StreamChunkDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, Server.Time, Aborted).ConfigureAwait(false);
            }
        }

        if (TruncateAfterChunks is { } limit && _chunksSent >= limit)
        {
            throw new TruncatedException();
        }

        await Http.Response.Body.WriteAsync(chunk, Aborted).ConfigureAwait(false);
        await Http.Response.Body.FlushAsync(Aborted).ConfigureAwait(false);
        _chunksSent++;
    }

    public void Dispose() => _document?.Dispose();
}

/// <summary>The request is invalid; answered with <see cref="StatusCode"/> in the API's error shape.</summary>
#pragma warning disable CA1032 // internal control-flow exception: the standard constructors are not needed
internal sealed class BadRequestException(int statusCode, string message, string? s3Code = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>S3's error code, when it differs from the status's usual one (NoSuchBucket).</summary>
    public string? S3Code { get; } = s3Code;
}

/// <summary>A truncation fault reached its limit: the connection is aborted.</summary>
internal sealed class TruncatedException : Exception;
#pragma warning restore CA1032
