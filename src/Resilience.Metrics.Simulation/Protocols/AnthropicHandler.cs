using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Anthropic's Messages API, <c>POST /v1/messages</c>, buffered or streamed with its event sequence.</summary>
internal sealed class AnthropicHandler() : ApiHandler(ErrorDialect.Anthropic)
{
    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        exchange.Model = String(body, "model") ?? throw new BadRequestException(400, "model: Field required");
        var maxTokens = Int(body, "max_tokens") ?? throw new BadRequestException(400, "max_tokens: Field required");
        exchange.PromptTokens = MessagesWords(body) + ContentWords(Property(body, "system"));
        exchange.Stream = Bool(body, "stream") ?? false;
        exchange.LimitCompletion(maxTokens);
    }

    public override Task RespondAsync(Exchange exchange) =>
        exchange.Stream ? StreamAsync(exchange) : exchange.SendAsync(Complete(exchange));

    private static string StopReason(Exchange exchange) => exchange.LengthLimited ? "max_tokens" : "end_turn";

    private static byte[] Complete(Exchange exchange)
    {
        var id = exchange.NewId("msg_");
        return Text.Json(w =>
        {
            WriteMessageHead(w, exchange, id);
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", Text.Completion(exchange.CompletionTokens));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("stop_reason", StopReason(exchange));
            w.WriteNull("stop_sequence");
            WriteUsage(w, exchange.PromptTokens, exchange.CompletionTokens);
            w.WriteEndObject();
        });
    }

    private static async Task StreamAsync(Exchange exchange)
    {
        var id = exchange.NewId("msg_");
        await exchange.StartStreamAsync(EventStreamType).ConfigureAwait(false);

        // message_start carries the input tokens; like the real API its output_tokens is a placeholder (1).
        await exchange.SendChunkAsync(Event("message_start", w =>
        {
            w.WriteStartObject("message");
            WriteMessageHeadFields(w, exchange, id);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            WriteUsage(w, exchange.PromptTokens, Math.Min(1, exchange.CompletionTokens));
            w.WriteEndObject();
        })).ConfigureAwait(false);

        await exchange.SendChunkAsync(Event("content_block_start", w =>
        {
            w.WriteNumber("index", 0);
            w.WriteStartObject("content_block");
            w.WriteString("type", "text");
            w.WriteString("text", "");
            w.WriteEndObject();
        })).ConfigureAwait(false);

        await exchange.SendChunkAsync(Event("ping", _ => { })).ConfigureAwait(false);

        for (var i = 0; i < exchange.CompletionTokens; i++)
        {
            var token = Text.Token(i);
            await exchange.SendChunkAsync(Event("content_block_delta", w =>
            {
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                w.WriteString("type", "text_delta");
                w.WriteString("text", token);
                w.WriteEndObject();
            })).ConfigureAwait(false);
        }

        await exchange.SendChunkAsync(Event("content_block_stop", w => w.WriteNumber("index", 0))).ConfigureAwait(false);

        await exchange.SendChunkAsync(Event("message_delta", w =>
        {
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(exchange));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", exchange.CompletionTokens);
            w.WriteEndObject();
        })).ConfigureAwait(false);

        await exchange.SendChunkAsync(Event("message_stop", _ => { })).ConfigureAwait(false);
    }

    private static byte[] Event(string type, Action<Utf8JsonWriter> fields) => Text.Sse(Text.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        fields(w);
        w.WriteEndObject();
    }), type);

    private static void WriteMessageHead(Utf8JsonWriter w, Exchange exchange, string id)
    {
        w.WriteStartObject();
        WriteMessageHeadFields(w, exchange, id);
    }

    private static void WriteMessageHeadFields(Utf8JsonWriter w, Exchange exchange, string id)
    {
        w.WriteString("id", id);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", exchange.Model);
    }

    private static void WriteUsage(Utf8JsonWriter w, int input, int output)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", input);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", 0);
        w.WriteNumber("output_tokens", output);
        w.WriteEndObject();
    }
}
