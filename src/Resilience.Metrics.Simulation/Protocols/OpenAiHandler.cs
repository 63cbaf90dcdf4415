using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>
/// OpenAI chat completions (<c>/v1/chat/completions</c>) or legacy completions (<c>/v1/completions</c>), as served
/// by OpenAI and the OpenAI-compatible servers (Groq, OPEA, vLLM, OVMS v3, TGI's Messages API).
/// </summary>
internal sealed class OpenAiHandler(bool completions, bool groq = false) : ApiHandler(ErrorDialect.OpenAI)
{
    private static readonly byte[] Done = Text.Utf8("data: [DONE]\n\n");

    public override async ValueTask ReadAsync(Exchange exchange)
    {
        var body = await ReadObjectAsync(exchange).ConfigureAwait(false);
        exchange.Model = String(body, "model") ?? throw new BadRequestException(400, "you must provide a model parameter");
        if (completions)
        {
            var prompt = Property(body, "prompt");
            if (prompt.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            {
                throw new BadRequestException(400, "prompt: a string or an array of strings is required.");
            }

            exchange.PromptTokens = ContentWords(prompt);
        }
        else
        {
            exchange.PromptTokens = MessagesWords(body);
        }

        exchange.Stream = Bool(body, "stream") ?? false;
        exchange.IncludeUsage = exchange.Stream && Bool(Property(body, "stream_options"), "include_usage") == true;
        exchange.LimitCompletion(Int(body, "max_completion_tokens") ?? Int(body, "max_tokens"));
    }

    public override Task RespondAsync(Exchange exchange) =>
        exchange.Stream ? StreamAsync(exchange) : exchange.SendAsync(Complete(exchange));

    private string ObjectType => completions ? "text_completion" : "chat.completion";

    private static string FinishReason(Exchange exchange) => exchange.LengthLimited ? "length" : "stop";

    private byte[] Complete(Exchange exchange)
    {
        var id = exchange.NewId(completions ? "cmpl-" : "chatcmpl-");
        var text = Text.Completion(exchange.CompletionTokens);
        return Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", ObjectType);
            w.WriteNumber("created", exchange.Created);
            w.WriteString("model", exchange.Model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            if (completions)
            {
                w.WriteString("text", text);
            }
            else
            {
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", text);
                w.WriteNull("refusal");
                w.WriteEndObject();
            }

            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishReason(exchange));
            w.WriteEndObject();
            w.WriteEndArray();
            WriteUsage(w, exchange);
            w.WriteString("system_fingerprint", "fp_simulated");
            if (groq)
            {
                w.WriteStartObject("x_groq");
                w.WriteString("id", exchange.NewId("req_"));
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
    }

    private async Task StreamAsync(Exchange exchange)
    {
        var id = exchange.NewId(completions ? "cmpl-" : "chatcmpl-");
        var created = exchange.Created;
        await exchange.StartStreamAsync(EventStreamType).ConfigureAwait(false);

        if (!completions)
        {
            // OpenAI opens a chat stream with the assistant role and empty content.
            await exchange.SendChunkAsync(Chunk(exchange, id, created, "", role: true, finishReason: null)).ConfigureAwait(false);
        }

        for (var i = 0; i < exchange.CompletionTokens; i++)
        {
            await exchange.SendChunkAsync(Chunk(exchange, id, created, Text.Token(i), role: false, finishReason: null)).ConfigureAwait(false);
        }

        await exchange.SendChunkAsync(Chunk(exchange, id, created, null, role: false, FinishReason(exchange))).ConfigureAwait(false);
        if (exchange.IncludeUsage)
        {
            await exchange.SendChunkAsync(UsageChunk(exchange, id, created)).ConfigureAwait(false);
        }

        await exchange.SendChunkAsync(Done).ConfigureAwait(false);
    }

    private byte[] Chunk(Exchange exchange, string id, long created, string? content, bool role, string? finishReason) =>
        Text.Sse(Text.Json(w =>
        {
            WriteChunkHead(w, exchange, id, created);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            if (completions)
            {
                w.WriteString("text", content ?? "");
            }
            else
            {
                w.WriteStartObject("delta");
                if (role)
                {
                    w.WriteString("role", "assistant");
                }

                if (content is not null)
                {
                    w.WriteString("content", content);
                }

                w.WriteEndObject();
            }

            w.WriteNull("logprobs");
            if (finishReason is null)
            {
                w.WriteNull("finish_reason");
            }
            else
            {
                w.WriteString("finish_reason", finishReason);
            }

            w.WriteEndObject();
            w.WriteEndArray();
            if (exchange.IncludeUsage)
            {
                w.WriteNull("usage");
            }

            if (groq && finishReason is not null)
            {
                // Groq reports a stream's usage in x_groq on the last content chunk.
                w.WriteStartObject("x_groq");
                w.WriteString("id", id);
                WriteUsage(w, exchange);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }));

    private byte[] UsageChunk(Exchange exchange, string id, long created) => Text.Sse(Text.Json(w =>
    {
        WriteChunkHead(w, exchange, id, created);
        w.WriteStartArray("choices");
        w.WriteEndArray();
        WriteUsage(w, exchange);
        w.WriteEndObject();
    }));

    private void WriteChunkHead(Utf8JsonWriter w, Exchange exchange, string id, long created)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", completions ? "text_completion" : "chat.completion.chunk");
        w.WriteNumber("created", created);
        w.WriteString("model", exchange.Model);
        w.WriteString("system_fingerprint", "fp_simulated");
    }

    private static void WriteUsage(Utf8JsonWriter w, Exchange exchange)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", exchange.PromptTokens);
        w.WriteNumber("completion_tokens", exchange.CompletionTokens);
        w.WriteNumber("total_tokens", exchange.PromptTokens + exchange.CompletionTokens);
        w.WriteEndObject();
    }
}
