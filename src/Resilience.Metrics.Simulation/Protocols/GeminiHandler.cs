using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>
/// Gemini <c>models/{model}:generateContent</c> and <c>:streamGenerateContent</c> (SSE with <c>?alt=sse</c>,
/// otherwise a streamed JSON array, as the real API does).
/// </summary>
internal sealed class GeminiHandler() : ApiHandler(ErrorDialect.Gemini)
{
    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var target = exchange.RouteValue("target");
        var colon = target.LastIndexOf(':');
        var method = colon < 0 ? "" : target[(colon + 1)..];
        exchange.Model = colon < 0 ? target : target[..colon];
        if (method is not ("generateContent" or "streamGenerateContent"))
        {
            throw new BadRequestException(404, $"models/{target} is not found for API version {exchange.RouteValue("version")}.");
        }

        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        var contents = Property(body, "contents");
        if (contents.ValueKind != JsonValueKind.Array || contents.GetArrayLength() == 0)
        {
            throw new BadRequestException(400, "* GenerateContentRequest.contents: contents is not specified");
        }

        var words = PartsWords(Property(body, "systemInstruction"));
        foreach (var content in contents.EnumerateArray())
        {
            words += PartsWords(content);
        }

        exchange.PromptTokens = words;
        exchange.Stream = method == "streamGenerateContent";
        exchange.LimitCompletion(Int(Property(body, "generationConfig"), "maxOutputTokens"));
    }

    public override string ContentType(Exchange exchange) => IsSse(exchange) ? "text/event-stream" : JsonType;

    public override Task RespondAsync(Exchange exchange)
    {
        var responseId = exchange.NewId("sim-");
        if (!exchange.Stream)
        {
            return exchange.SendAsync(Chunk(exchange, responseId, Text.Completion(exchange.CompletionTokens), exchange.CompletionTokens, last: true));
        }

        return StreamAsync(exchange, responseId);
    }

    private static bool IsSse(Exchange exchange) =>
        exchange.Stream && string.Equals(exchange.Http.Request.Query["alt"], "sse", StringComparison.OrdinalIgnoreCase);

    private static async Task StreamAsync(Exchange exchange, string responseId)
    {
        var sse = IsSse(exchange);
        await exchange.StartStreamAsync(sse ? "text/event-stream" : JsonType).ConfigureAwait(false);
        var count = Math.Max(1, exchange.CompletionTokens);
        for (var i = 0; i < count; i++)
        {
            var generated = Math.Min(i + 1, exchange.CompletionTokens);
            var text = exchange.CompletionTokens == 0 ? "" : Text.Token(i);
            var json = Chunk(exchange, responseId, text, generated, last: i == count - 1);
            // Google frames SSE with CRLF line ends; the array form separates elements with ",\r\n".
            byte[] frame = sse ? Text.Sse(json, newline: "\r\n")
                : i == 0 ? [(byte)'[', .. json]
                : [.. Text.Utf8(",\r\n"), .. json];
            await exchange.SendChunkAsync(frame).ConfigureAwait(false);
        }

        if (!sse)
        {
            await exchange.SendChunkAsync(Text.Utf8("]")).ConfigureAwait(false);
        }
    }

    private static byte[] Chunk(Exchange exchange, string responseId, string text, int candidateTokens, bool last) => Text.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("candidates");
        w.WriteStartObject();
        w.WriteStartObject("content");
        w.WriteStartArray("parts");
        w.WriteStartObject();
        w.WriteString("text", text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("role", "model");
        w.WriteEndObject();
        if (last)
        {
            w.WriteString("finishReason", exchange.LengthLimited ? "MAX_TOKENS" : "STOP");
        }

        w.WriteNumber("index", 0);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("usageMetadata");
        w.WriteNumber("promptTokenCount", exchange.PromptTokens);
        w.WriteNumber("candidatesTokenCount", candidateTokens);
        w.WriteNumber("totalTokenCount", exchange.PromptTokens + candidateTokens);
        w.WriteEndObject();
        w.WriteString("modelVersion", exchange.Model);
        w.WriteString("responseId", responseId);
        w.WriteEndObject();
    });

    private static int PartsWords(JsonElement content) => ContentWords(Property(content, "parts"));
}
