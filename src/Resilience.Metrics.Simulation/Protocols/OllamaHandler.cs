using System.Globalization;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Ollama <c>/api/chat</c> or <c>/api/generate</c>; streams NDJSON unless <c>"stream": false</c>.</summary>
internal sealed class OllamaHandler(bool chat) : ApiHandler(ErrorDialect.Ollama)
{
    private const string NdjsonType = "application/x-ndjson";

    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        exchange.Model = String(body, "model") ?? throw new BadRequestException(400, "model is required");
        exchange.PromptTokens = chat
            ? MessagesWords(body)
            : Text.CountWords(String(body, "prompt")) + Text.CountWords(String(body, "system"));
        exchange.Stream = Bool(body, "stream") ?? true; // Ollama streams by default
        exchange.LimitCompletion(Int(Property(body, "options"), "num_predict"));
    }

    public override string ContentType(Exchange exchange) => exchange.Stream ? NdjsonType : JsonType;

    public override async Task RespondAsync(Exchange exchange)
    {
        if (!exchange.Stream)
        {
            await exchange.SendAsync(Final(exchange, Text.Completion(exchange.CompletionTokens))).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync(NdjsonType).ConfigureAwait(false);
        for (var i = 0; i < exchange.CompletionTokens; i++)
        {
            var token = Text.Token(i);
            await exchange.SendChunkAsync(Text.Line(Text.Json(w =>
            {
                WriteHead(w, exchange, token);
                w.WriteBoolean("done", false);
                w.WriteEndObject();
            }))).ConfigureAwait(false);
        }

        await exchange.SendChunkAsync(Text.Line(Final(exchange, ""))).ConfigureAwait(false);
    }

    private byte[] Final(Exchange exchange, string text) => Text.Json(w =>
    {
        const long NanosPerToken = 20_000_000; // 20 ms per generated token, 1 ms per prompt token
        WriteHead(w, exchange, text);
        w.WriteString("done_reason", exchange.LengthLimited ? "length" : "stop");
        w.WriteBoolean("done", true);
        if (!chat)
        {
            w.WriteStartArray("context");
            w.WriteNumberValue(128006);
            w.WriteNumberValue(882);
            w.WriteNumberValue(128007);
            w.WriteEndArray();
        }

        var promptNanos = exchange.PromptTokens * 1_000_000L;
        var evalNanos = exchange.CompletionTokens * NanosPerToken;
        w.WriteNumber("total_duration", 1_000_000 + promptNanos + evalNanos);
        w.WriteNumber("load_duration", 1_000_000);
        w.WriteNumber("prompt_eval_count", exchange.PromptTokens);
        w.WriteNumber("prompt_eval_duration", promptNanos);
        w.WriteNumber("eval_count", exchange.CompletionTokens);
        w.WriteNumber("eval_duration", evalNanos);
        w.WriteEndObject();
    });

    private void WriteHead(Utf8JsonWriter w, Exchange exchange, string text)
    {
        w.WriteStartObject();
        w.WriteString("model", exchange.Model);
        w.WriteString("created_at", exchange.Server.Time.GetUtcNow().UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
        if (chat)
        {
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", text);
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("response", text);
        }
    }
}
