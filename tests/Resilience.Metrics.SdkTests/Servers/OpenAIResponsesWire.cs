using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>
/// OpenAI's Responses and Embeddings APIs as documented, on the <see cref="OpenAIWire"/> server (its attempt count,
/// rate-limit headers, <c>fail:NNN</c> texts and error bodies):
/// <list type="bullet">
/// <item><c>POST /v1/responses</c>: a <c>"object": "response"</c> JSON, or with <c>"stream": true</c> typed events
/// (<c>event: response.created</c> … <c>response.output_text.delta</c> … <c>response.completed</c>, whose response
/// alone carries <c>usage</c>; no <c>[DONE]</c>). The response names the dated snapshot of the requested model.</item>
/// <item><c>POST /v1/embeddings</c>: a list of embeddings, as floats or, when the request asks
/// <c>"encoding_format": "base64"</c>, as base64 of little-endian float32s; usage has prompt and total tokens only.</item>
/// </list>
/// Token counts differ from the chat route's, so a count read from the wrong place shows.
/// </summary>
internal static class OpenAIResponsesWire
{
    public const int PlainInputTokens = 17;
    public const int PlainOutputTokens = 9;
    public const int StreamInputTokens = 19;
    public const int StreamOutputTokens = 6;
    public const int CachedTokens = 4;
    public const int ReasoningTokens = 5;

    /// <summary>Prompt tokens of each input of an embeddings request.</summary>
    public const int EmbeddingTokensPerInput = 8;

    /// <summary>The dimensions of every embedding.</summary>
    public const int Dimensions = 6;

    /// <summary>The text a response answers, streamed in these pieces (not the chat route's, so the two cannot be mixed up).</summary>
    public static readonly string[] Pieces = ["Good", " morn", "ing", "."];

    public static void Map(WebApplication app, OpenAIWireOptions options, StrongBox<int> attempts)
    {
        app.MapPost("/v1/responses", async context =>
        {
            var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
            var model = request["model"]!.GetValue<string>();
            if (await OpenAIWire.FailedAsync(context, options, attempts, LastText(request["input"])))
            {
                return;
            }

            if (request["stream"]?.GetValue<bool>() != true)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Response(model, "completed", Usage(PlainInputTokens, PlainOutputTokens)).ToJsonString(), context.RequestAborted);
                return;
            }

            await OpenAIWire.WriteEventsAsync(context, options, Events(model).Select((e, i) =>
            {
                var type = e["type"]!.GetValue<string>();
                e["sequence_number"] = i;
                return "event: " + type + "\ndata: " + e.ToJsonString() + "\n\n";
            }).ToList());
        });

        app.MapPost("/v1/embeddings", async context =>
        {
            var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
            var inputs = request["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [request["input"]!.GetValue<string>()];
            if (await OpenAIWire.FailedAsync(context, options, attempts, inputs[^1]))
            {
                return;
            }

            var base64 = request["encoding_format"]?.GetValue<string>() == "base64";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(inputs.Select((text, i) => (JsonNode)new JsonObject
                {
                    ["object"] = "embedding",
                    ["index"] = i,
                    ["embedding"] = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(Vector(text).AsSpan())) : new JsonArray(Vector(text).Select(f => (JsonNode)f).ToArray()),
                }).ToArray()),
                ["model"] = request["model"]!.GetValue<string>(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = EmbeddingTokensPerInput * inputs.Count, ["total_tokens"] = EmbeddingTokensPerInput * inputs.Count },
            }.ToJsonString(), context.RequestAborted);
        });
    }

    /// <summary>An embedding that depends on the text (little-endian on every machine these tests run on).</summary>
    public static float[] Vector(string text) => [.. Enumerable.Range(0, Dimensions).Select(i => ((text.Length * 31) + i) / 64f)];

    /// <summary>The text of the request's last input: a string, or the last message's content (a string or its parts).</summary>
    private static string LastText(JsonNode? input)
    {
        if (input is JsonValue text)
        {
            return text.GetValue<string>();
        }

        var content = input?.AsArray()[^1]?["content"];
        return content is JsonValue value ? value.GetValue<string>() : content?.AsArray()[^1]?["text"]?.GetValue<string>() ?? string.Empty;
    }

    private static JsonObject Usage(int input, int output) => new()
    {
        ["input_tokens"] = input,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens },
        ["output_tokens"] = output,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = ReasoningTokens },
        ["total_tokens"] = input + output,
    };

    private const string MessageId = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b";

    private static JsonObject Message(string status, string? text) => new()
    {
        ["id"] = MessageId,
        ["type"] = "message",
        ["status"] = status,
        ["role"] = "assistant",
        ["content"] = text is null ? new JsonArray() : new JsonArray(OutputText(text)),
    };

    private static JsonObject OutputText(string text) => new() { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() };

    /// <summary>The documented response object; <paramref name="usage"/> is null until the response is completed.</summary>
    private static JsonObject Response(string model, string status, JsonObject? usage) => new()
    {
        ["id"] = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
        ["object"] = "response",
        ["created_at"] = 1741476542,
        ["status"] = status,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["max_output_tokens"] = null,
        ["model"] = OpenAIWire.Snapshot(model),
        ["output"] = status == "completed" ? new JsonArray(Message("completed", string.Concat(Pieces))) : new JsonArray(),
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["reasoning"] = new JsonObject { ["effort"] = null, ["summary"] = null },
        ["store"] = true,
        ["temperature"] = 1.0,
        ["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "text" } },
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["top_p"] = 1.0,
        ["truncation"] = "disabled",
        ["usage"] = usage,
        ["user"] = null,
        ["metadata"] = new JsonObject(),
    };

    /// <summary>The documented events of a streamed text response, in order (their sequence numbers are added when written).</summary>
    private static IEnumerable<JsonObject> Events(string model)
    {
        var text = string.Concat(Pieces);
        yield return new JsonObject { ["type"] = "response.created", ["response"] = Response(model, "in_progress", null) };
        yield return new JsonObject { ["type"] = "response.in_progress", ["response"] = Response(model, "in_progress", null) };
        yield return new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = Message("in_progress", null) };
        yield return Part("response.content_part.added", "part", OutputText(string.Empty));
        foreach (var piece in Pieces)
        {
            var delta = Part("response.output_text.delta", "delta", piece);
            delta["logprobs"] = new JsonArray();
            yield return delta;
        }

        var done = Part("response.output_text.done", "text", text);
        done["logprobs"] = new JsonArray();
        yield return done;
        yield return Part("response.content_part.done", "part", OutputText(text));
        yield return new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = Message("completed", text) };
        yield return new JsonObject { ["type"] = "response.completed", ["response"] = Response(model, "completed", Usage(StreamInputTokens, StreamOutputTokens)) };

        static JsonObject Part(string type, string name, JsonNode value) => new()
        {
            ["type"] = type,
            ["item_id"] = MessageId,
            ["output_index"] = 0,
            ["content_index"] = 0,
            [name] = value,
        };
    }
}
