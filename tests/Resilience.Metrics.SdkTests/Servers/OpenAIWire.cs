using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>How an <see cref="OpenAIWire"/> server behaves beyond its documented answers.</summary>
internal sealed record OpenAIWireOptions
{
    /// <summary>Wait between two stream chunks.</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Wait between the response's headers (sent at once) and its first chunk, as a model thinking does.</summary>
    public TimeSpan FirstChunkDelay { get; init; }

    /// <summary>Abort the connection after this many stream chunks.</summary>
    public int? AbortAfterChunks { get; init; }

    /// <summary>
    /// Completed by the test once the client has read the chunks before the abort: a reset drops what the client's
    /// socket holds unread, headers included, so aborting before would be a failure before the response instead.
    /// </summary>
    public Task AbortWhen { get; init; } = Task.CompletedTask;

    /// <summary>Answer this many first attempts with 500 (whatever they ask).</summary>
    public int FailFirstAttempts { get; init; }
}

/// <summary>
/// OpenAI's Chat Completions API as documented: <c>POST /v1/chat/completions</c>, a JSON completion or an SSE stream
/// of <c>chat.completion.chunk</c>s (a last chunk with <c>usage</c> and no choices when
/// <c>stream_options.include_usage</c> is true, then <c>data: [DONE]</c>), and OpenAI's error bodies. The response
/// names the dated snapshot of the requested model, as the real API does. A last user message <c>fail:400</c>,
/// <c>fail:429</c> or <c>fail:500</c> gets that error. The same server answers the Responses and Embeddings APIs
/// (<see cref="OpenAIResponsesWire"/>), with one count of attempts for all three.
/// </summary>
internal static class OpenAIWire
{
    public const int PlainPromptTokens = 11;
    public const int PlainCompletionTokens = 7;
    public const int StreamPromptTokens = 13;
    public const int StreamCompletionTokens = 5;
    public const int CachedTokens = 3;
    public const int ReasoningTokens = 2;

    /// <summary>The text a completion answers, streamed in these pieces.</summary>
    public static readonly string[] Pieces = ["Hel", "lo", " there", "!"];

    public static string Snapshot(string model) => model == "gpt-4o-mini" ? "gpt-4o-mini-2024-07-18" : model + "-2024-08-06";

    public static Task<LoopbackServer> StartAsync(OpenAIWireOptions? options = null)
    {
        options ??= new OpenAIWireOptions();
        var attempts = new StrongBox<int>();
        return LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", async context =>
            {
                var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
                var model = request["model"]!.GetValue<string>();
                var stream = request["stream"]?.GetValue<bool>() == true;
                var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
                var last = request["messages"]!.AsArray()[^1]!["content"];
                var text = last is JsonValue value ? value.GetValue<string>() : last?.ToJsonString() ?? string.Empty;

                if (await FailedAsync(context, options, attempts, text))
                {
                    return;
                }

                if (!stream)
                {
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(Completion(model).ToJsonString(), context.RequestAborted);
                    return;
                }

                await WriteEventsAsync(context, options, Chunks(model, includeUsage).Select(c => "data: " + c.ToJsonString() + "\n\n").Append("data: [DONE]\n\n").ToList());
            });
            OpenAIResponsesWire.Map(app, options, attempts);
        });
    }

    /// <summary>
    /// Counts the attempt and writes its rate-limit headers; answers 500 to the first
    /// <see cref="OpenAIWireOptions.FailFirstAttempts"/> attempts and the error a <c>fail:NNN</c> text asks for.
    /// </summary>
    /// <returns>Whether the attempt was answered with an error.</returns>
    internal static async Task<bool> FailedAsync(HttpContext context, OpenAIWireOptions options, StrongBox<int> attempts, string text)
    {
        var attempt = Interlocked.Increment(ref attempts.Value);
        WriteRateLimitHeaders(context, attempt);
        if (attempt <= options.FailFirstAttempts)
        {
            await WriteErrorAsync(context, 500);
            return true;
        }

        if (text.StartsWith("fail:", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, int.Parse(text["fail:".Length..], System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }

        return false;
    }

    /// <summary>
    /// Writes a stream's events as <c>text/event-stream</c>, one flush each, with the options' waits before the first
    /// and between two, and the abort after <see cref="OpenAIWireOptions.AbortAfterChunks"/>.
    /// </summary>
    internal static Task WriteEventsAsync(HttpContext context, OpenAIWireOptions options, IEnumerable<string> events) =>
        StreamedResponse.WriteEventsAsync(context, events, options.FirstChunkDelay, options.ChunkDelay, options.AbortAfterChunks, options.AbortWhen);

    /// <summary>The request limit announced in <c>x-ratelimit-limit-requests</c>; each attempt takes one.</summary>
    public const int RequestLimit = 10_000;

    /// <summary>The token limit announced in <c>x-ratelimit-limit-tokens</c>; each attempt takes 1,000.</summary>
    public const int TokenLimit = 2_000_000;

    /// <summary>
    /// OpenAI's documented rate-limit headers, on every response (errors too): limits, what is left after this attempt,
    /// and the time to each reset as a Go duration (<c>6m0s</c>, <c>8.64s</c>).
    /// </summary>
    private static void WriteRateLimitHeaders(HttpContext context, int attempt)
    {
        var headers = context.Response.Headers;
        headers["x-ratelimit-limit-requests"] = RequestLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = (RequestLimit - attempt).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-requests"] = "6m0s";
        headers["x-ratelimit-limit-tokens"] = TokenLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-tokens"] = (TokenLimit - (1_000 * attempt)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-tokens"] = "8.64s";
    }

    public static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens, ["audio_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = ReasoningTokens,
            ["audio_tokens"] = 0,
            ["accepted_prediction_tokens"] = 0,
            ["rejected_prediction_tokens"] = 0,
        },
    };

    private static JsonObject Completion(string model) => new()
    {
        ["id"] = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        ["object"] = "chat.completion",
        ["created"] = 1741569952,
        ["model"] = Snapshot(model),
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = string.Concat(Pieces),
                ["refusal"] = null,
                ["annotations"] = new JsonArray(),
            },
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = Usage(PlainPromptTokens, PlainCompletionTokens),
        ["service_tier"] = "default",
        ["system_fingerprint"] = "fp_06737a9306",
    };

    private static IEnumerable<JsonObject> Chunks(string model, bool includeUsage)
    {
        JsonObject Chunk(JsonObject? delta, string? finish, JsonObject? usage) => new()
        {
            ["id"] = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1741570283,
            ["model"] = Snapshot(model),
            ["service_tier"] = "default",
            ["system_fingerprint"] = "fp_06737a9306",
            ["choices"] = delta is null
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
            ["usage"] = usage,
        };

        yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty, ["refusal"] = null }, null, null);
        foreach (var piece in Pieces)
        {
            yield return Chunk(new JsonObject { ["content"] = piece }, null, null);
        }

        yield return Chunk(new JsonObject(), "stop", null);
        if (includeUsage)
        {
            yield return Chunk(null, null, Usage(StreamPromptTokens, StreamCompletionTokens));
        }
    }

    /// <summary>OpenAI's documented error bodies.</summary>
    private static Task WriteErrorAsync(HttpContext context, int status)
    {
        var error = status switch
        {
            429 => new JsonObject
            {
                ["message"] = "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
                ["type"] = "requests",
                ["param"] = "requests",
                ["code"] = "rate_limit_exceeded",
            },
            400 => new JsonObject
            {
                ["message"] = "Invalid value for 'messages': the message content is not valid.",
                ["type"] = "invalid_request_error",
                ["param"] = "messages",
                ["code"] = null,
            },
            _ => new JsonObject
            {
                ["message"] = "The server had an error while processing your request. Sorry about that!",
                ["type"] = "server_error",
                ["param"] = null,
                ["code"] = null,
            },
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-request-id"] = "req_" + status;
        return context.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString(), context.RequestAborted);
    }
}
