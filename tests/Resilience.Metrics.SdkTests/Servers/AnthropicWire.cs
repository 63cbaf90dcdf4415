using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>
/// Anthropic's Messages API as documented: <c>POST /v1/messages</c>, a JSON message or an SSE stream of named events
/// (<c>message_start</c> with the input usage, <c>content_block_start</c>/<c>_delta</c>/<c>_stop</c>, <c>ping</c>,
/// <c>message_delta</c> with the cumulative output usage, <c>message_stop</c>), cache fields included, and Anthropic's
/// error bodies. The response names the dated model the requested alias points to. A last user message
/// <c>fail:429</c> (<c>fail:400</c>, <c>fail:500</c>, <c>fail:529</c>) gets that error.
/// </summary>
internal static class AnthropicWire
{
    public const int PlainInputTokens = 21;
    public const int PlainOutputTokens = 9;
    public const int StreamInputTokens = 25;
    public const int StreamOutputTokens = 15;
    public const int CacheReadTokens = 4;
    public const int CacheCreationTokens = 6;

    public static readonly string[] Pieces = ["Hello", ", Claude", " here."];

    public static string Dated(string model) => model + "-20250929";

    /// <param name="rateLimitedAttempts">How many of the server's first attempts get a 429 that asks for an immediate
    /// retry (<c>retry-after-ms: 1</c>, <c>retry-after: 0</c>): a rate limit that clears at once.</param>
    /// <param name="firstChunkDelay">Wait between a stream's headers (flushed at once) and its first event, as a model thinking does.</param>
    /// <param name="chunkDelay">Wait between two stream events.</param>
    public static Task<LoopbackServer> StartAsync(int rateLimitedAttempts = 0, TimeSpan firstChunkDelay = default, TimeSpan chunkDelay = default)
    {
        var attempts = 0;
        return LoopbackServer.StartAsync(app => app.MapPost("/v1/messages", context =>
        {
            var attempt = Interlocked.Increment(ref attempts);
            WriteRateLimitHeaders(context, attempt);
            return attempt <= rateLimitedAttempts ? RateLimitAsync(context) : AnswerAsync(context, firstChunkDelay, chunkDelay);
        }));
    }

    /// <summary>The request limit announced in <c>anthropic-ratelimit-requests-limit</c>; each attempt takes one.</summary>
    public const int RequestLimit = 4_000;

    /// <summary>The input-token limit announced in <c>anthropic-ratelimit-input-tokens-limit</c>; each attempt takes 100.</summary>
    public const int InputTokenLimit = 400_000;

    /// <summary>
    /// Anthropic's documented rate-limit headers, on every response (errors too): limits, what is left after this
    /// attempt, and each reset as an RFC 3339 time, a minute from now.
    /// </summary>
    private static void WriteRateLimitHeaders(HttpContext context, int attempt)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var reset = DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv);
        var headers = context.Response.Headers;
        headers["anthropic-ratelimit-requests-limit"] = RequestLimit.ToString(inv);
        headers["anthropic-ratelimit-requests-remaining"] = (RequestLimit - attempt).ToString(inv);
        headers["anthropic-ratelimit-requests-reset"] = reset;
        headers["anthropic-ratelimit-input-tokens-limit"] = InputTokenLimit.ToString(inv);
        headers["anthropic-ratelimit-input-tokens-remaining"] = (InputTokenLimit - (100 * attempt)).ToString(inv);
        headers["anthropic-ratelimit-input-tokens-reset"] = reset;
    }

    private static Task RateLimitAsync(HttpContext context)
    {
        context.Response.Headers["retry-after-ms"] = "1";
        context.Response.Headers["retry-after"] = "0";
        return WriteErrorAsync(context, 429);
    }

    private static async Task AnswerAsync(HttpContext context, TimeSpan firstChunkDelay, TimeSpan chunkDelay)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var model = request["model"]!.GetValue<string>();
        var stream = request["stream"]?.GetValue<bool>() == true;
        var content = request["messages"]!.AsArray()[^1]!["content"]!;
        var text = content is JsonValue value ? value.GetValue<string>() : content[0]?["text"]?.GetValue<string>() ?? string.Empty;

        context.Response.Headers["request-id"] = "req_011CSHoEeqs5C35K2UUqR7Fy";
        if (text.StartsWith("fail:", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, int.Parse(text["fail:".Length..], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Message(model).ToJsonString(), context.RequestAborted);
            return;
        }

        await StreamedResponse.WriteEventsAsync(context, Events(model).Select(e => $"event: {e.Name}\ndata: {e.Data.ToJsonString()}\n\n"), firstChunkDelay, chunkDelay);
    }

    private static JsonObject Usage(int input, int output) => new()
    {
        ["input_tokens"] = input,
        ["cache_creation_input_tokens"] = CacheCreationTokens,
        ["cache_read_input_tokens"] = CacheReadTokens,
        ["cache_creation"] = new JsonObject { ["ephemeral_5m_input_tokens"] = CacheCreationTokens, ["ephemeral_1h_input_tokens"] = 0 },
        ["output_tokens"] = output,
        ["service_tier"] = "standard",
    };

    private static JsonObject Message(string model) => new()
    {
        ["id"] = "msg_013Zva2CMHLNnXjNJJKqJ2EF",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = Dated(model),
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = string.Concat(Pieces) }),
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = Usage(PlainInputTokens, PlainOutputTokens),
    };

    private static IEnumerable<(string Name, JsonObject Data)> Events(string model)
    {
        var start = Message(model);
        start["content"] = new JsonArray();
        start["stop_reason"] = null;
        start["usage"] = Usage(StreamInputTokens, 1);
        yield return ("message_start", new JsonObject { ["type"] = "message_start", ["message"] = start });
        yield return ("content_block_start", new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 0,
            ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = string.Empty },
        });
        yield return ("ping", new JsonObject { ["type"] = "ping" });
        foreach (var piece in Pieces)
        {
            yield return ("content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece },
            });
        }

        yield return ("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        yield return ("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
            // The output count is cumulative: the whole message's.
            ["usage"] = new JsonObject { ["output_tokens"] = StreamOutputTokens },
        });
        yield return ("message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private static Task WriteErrorAsync(HttpContext context, int status)
    {
        var (type, message) = status switch
        {
            400 => ("invalid_request_error", "messages: roles must alternate between \"user\" and \"assistant\""),
            429 => ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
            529 => ("overloaded_error", "Overloaded"),
            _ => ("api_error", "Internal server error"),
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
            ["request_id"] = "req_011CSHoEeqs5C35K2UUqR7Fy",
        }.ToJsonString(), context.RequestAborted);
    }
}
