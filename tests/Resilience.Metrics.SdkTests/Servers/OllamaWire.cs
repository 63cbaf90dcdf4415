using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>
/// Ollama's <c>POST /api/chat</c> as documented: one JSON object (<c>"stream": false</c>) or, by default, a stream of
/// newline-delimited JSON objects (<c>application/x-ndjson</c>) whose final one has <c>"done": true</c> with
/// <c>prompt_eval_count</c> and <c>eval_count</c>; errors are <c>{"error": "..."}</c>. The response names the model as
/// requested, as Ollama does. A last user message <c>fail:404</c> or <c>fail:500</c> gets that error.
/// </summary>
internal static class OllamaWire
{
    public const int PlainPromptTokens = 26;
    public const int PlainEvalTokens = 10;
    public const int StreamPromptTokens = 27;
    public const int StreamEvalTokens = 12;

    public static readonly string[] Pieces = ["The", " sky", " is", " blue."];

    /// <param name="firstChunkDelay">Wait between a stream's headers (flushed at once) and its first line, as a model loading or thinking does.</param>
    /// <param name="chunkDelay">Wait between two stream lines.</param>
    public static Task<LoopbackServer> StartAsync(TimeSpan firstChunkDelay = default, TimeSpan chunkDelay = default) => LoopbackServer.StartAsync(app => app.MapPost("/api/chat", async context =>
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var model = request["model"]!.GetValue<string>();
        var stream = request["stream"]?.GetValue<bool>() ?? true; // Ollama streams unless told not to
        var text = request["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>();

        if (text.StartsWith("fail:", StringComparison.Ordinal))
        {
            var status = int.Parse(text["fail:".Length..], System.Globalization.CultureInfo.InvariantCulture);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            var error = status == 404 ? $"model \"{model}\" not found, try pulling it first" : "llama runner process has terminated: exit status 2";
            await context.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString(), context.RequestAborted);
            return;
        }

        if (!stream)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(Done(model, string.Concat(Pieces), PlainPromptTokens, PlainEvalTokens).ToJsonString(), context.RequestAborted);
            return;
        }

        // The pieces, then the done line: a wait before each line after the first, 4 in all.
        var lines = Pieces.Select(piece => new JsonObject
        {
            ["model"] = model,
            ["created_at"] = "2025-01-01T10:00:00.000000Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = piece },
            ["done"] = false,
        }).Append(Done(model, string.Empty, StreamPromptTokens, StreamEvalTokens));
        await StreamedResponse.WriteChunksAsync(context, "application/x-ndjson", lines.Select(line => line.ToJsonString() + "\n"), firstChunkDelay, chunkDelay);
    }));

    private static JsonObject Done(string model, string content, int prompt, int eval) => new()
    {
        ["model"] = model,
        ["created_at"] = "2025-01-01T10:00:01.000000Z",
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
        ["done_reason"] = "stop",
        ["done"] = true,
        ["total_duration"] = 5191566416,
        ["load_duration"] = 2154458,
        ["prompt_eval_count"] = prompt,
        ["prompt_eval_duration"] = 383809000,
        ["eval_count"] = eval,
        ["eval_duration"] = 4799921000,
    };
}
