using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>How an <see cref="AzureOpenAIWire"/> server behaves beyond its documented answers.</summary>
internal sealed record AzureOpenAIWireOptions
{
    /// <summary>Wait between the response's headers (sent at once) and its first chunk.</summary>
    public TimeSpan FirstChunkDelay { get; init; }

    /// <summary>Answer this many first attempts with 500 (whatever they ask).</summary>
    public int FailFirstAttempts { get; init; }
}

/// <summary>
/// Azure OpenAI's Chat Completions as documented: <c>POST /openai/deployments/{deployment}/chat/completions?api-version=…</c>
/// with the key in the <c>api-key</c> header (401 without it). Bodies are OpenAI's plus Azure's content filtering:
/// <c>prompt_filter_results</c> and per-choice <c>content_filter_results</c>; a stream starts with a chunk that holds only
/// the prompt's filter results (empty <c>model</c>, no choices), as Azure's does. The response names the model behind
/// the deployment (<see cref="DeployedModel"/>), never the deployment. Errors are Azure's bodies. A last user message
/// <c>fail:400</c> (content filter), <c>fail:404</c>, <c>fail:429</c> or <c>fail:500</c> gets that error.
/// </summary>
internal static class AzureOpenAIWire
{
    public const string Key = "3f1c0a9b7e6d4c2a8b5f0e1d2c3b4a59";
    public const string Deployment = "my-deployment";
    public const string DeployedModel = "gpt-4o-2024-08-06";
    public const int PlainPromptTokens = 17;
    public const int PlainCompletionTokens = 8;
    public const int StreamPromptTokens = 19;
    public const int StreamCompletionTokens = 6;
    public const int CachedTokens = 5;
    public const int ReasoningTokens = 0;

    public static readonly string[] Pieces = ["Hi", " from", " Azure", "."];

    /// <summary>Every <c>api-key</c> header the server received, in order (empty for a request without one).</summary>
    public static Task<(LoopbackServer Server, ConcurrentQueue<string> Keys)> StartAsync(AzureOpenAIWireOptions? options = null) =>
        StartAsync(options ?? new AzureOpenAIWireOptions(), new ConcurrentQueue<string>());

    private static async Task<(LoopbackServer, ConcurrentQueue<string>)> StartAsync(AzureOpenAIWireOptions options, ConcurrentQueue<string> keys)
    {
        var attempts = 0;
        var server = await LoopbackServer.StartAsync(app => app.MapPost("/openai/deployments/{deployment}/chat/completions", async (HttpContext context, string deployment) =>
        {
            var key = context.Request.Headers["api-key"].ToString();
            keys.Enqueue(key);
            context.Response.Headers["apim-request-id"] = "5f0c6d2e-3b1a-4c8e-9f7d-2a1b0c9d8e7f";
            context.Response.Headers["x-ms-region"] = "Sweden Central";
            if (key != Key)
            {
                await WriteErrorAsync(context, 401, deployment);
                return;
            }

            if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
            {
                await WriteErrorAsync(context, 404, deployment);
                return;
            }

            var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
            var stream = request["stream"]?.GetValue<bool>() == true;
            var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
            var last = request["messages"]!.AsArray()[^1]!["content"];
            var text = last is JsonValue value ? value.GetValue<string>() : last?[0]?["text"]?.GetValue<string>() ?? string.Empty;

            var attempt = Interlocked.Increment(ref attempts);
            context.Response.Headers["x-ratelimit-remaining-requests"] = (1_000 - attempt).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["x-ratelimit-remaining-tokens"] = (150_000 - (1_000 * attempt)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (attempt <= options.FailFirstAttempts)
            {
                await WriteErrorAsync(context, 500, deployment);
                return;
            }

            if (text.StartsWith("fail:", StringComparison.Ordinal))
            {
                await WriteErrorAsync(context, int.Parse(text["fail:".Length..], System.Globalization.CultureInfo.InvariantCulture), deployment);
                return;
            }

            if (!stream)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Completion().ToJsonString(), context.RequestAborted);
                return;
            }

            // No wait between two chunks.
            await StreamedResponse.WriteEventsAsync(context, Chunks(includeUsage).Select(c => "data: " + c.ToJsonString() + "\n\n").Append("data: [DONE]\n\n"), options.FirstChunkDelay, TimeSpan.Zero);
        }));
        return (server, keys);
    }

    private static JsonObject Safe() => new() { ["filtered"] = false, ["severity"] = "safe" };

    /// <summary>Azure's per-choice content filter results (nothing filtered).</summary>
    private static JsonObject ContentFilterResults() => new()
    {
        ["hate"] = Safe(),
        ["protected_material_code"] = new JsonObject { ["filtered"] = false, ["detected"] = false },
        ["protected_material_text"] = new JsonObject { ["filtered"] = false, ["detected"] = false },
        ["self_harm"] = Safe(),
        ["sexual"] = Safe(),
        ["violence"] = Safe(),
    };

    /// <summary>Azure's prompt filter results: one per prompt, with its jailbreak check.</summary>
    private static JsonArray PromptFilterResults() => new(new JsonObject
    {
        ["prompt_index"] = 0,
        ["content_filter_results"] = new JsonObject
        {
            ["hate"] = Safe(),
            ["jailbreak"] = new JsonObject { ["filtered"] = false, ["detected"] = false },
            ["self_harm"] = Safe(),
            ["sexual"] = Safe(),
            ["violence"] = Safe(),
        },
    });

    private static JsonObject Usage(int prompt, int completion) => new()
    {
        ["completion_tokens"] = completion,
        ["completion_tokens_details"] = new JsonObject { ["accepted_prediction_tokens"] = 0, ["audio_tokens"] = 0, ["reasoning_tokens"] = ReasoningTokens, ["rejected_prediction_tokens"] = 0 },
        ["prompt_tokens"] = prompt,
        ["prompt_tokens_details"] = new JsonObject { ["audio_tokens"] = 0, ["cached_tokens"] = CachedTokens },
        ["total_tokens"] = prompt + completion,
    };

    /// <summary>Azure writes its keys in alphabetical order, filter results first.</summary>
    private static JsonObject Completion() => new()
    {
        ["choices"] = new JsonArray(new JsonObject
        {
            ["content_filter_results"] = ContentFilterResults(),
            ["finish_reason"] = "stop",
            ["index"] = 0,
            ["logprobs"] = null,
            ["message"] = new JsonObject { ["annotations"] = new JsonArray(), ["content"] = string.Concat(Pieces), ["refusal"] = null, ["role"] = "assistant" },
        }),
        ["created"] = 1741569952,
        ["id"] = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        ["model"] = DeployedModel,
        ["object"] = "chat.completion",
        ["prompt_filter_results"] = PromptFilterResults(),
        ["system_fingerprint"] = "fp_ee1d74bde0",
        ["usage"] = Usage(PlainPromptTokens, PlainCompletionTokens),
    };

    private static IEnumerable<JsonObject> Chunks(bool includeUsage)
    {
        // Azure's first chunk: the prompt's filter results only, no choices, an empty model, id and object.
        yield return new JsonObject
        {
            ["choices"] = new JsonArray(),
            ["created"] = 0,
            ["id"] = string.Empty,
            ["model"] = string.Empty,
            ["object"] = string.Empty,
            ["prompt_filter_results"] = PromptFilterResults(),
        };

        JsonObject Chunk(JsonObject? delta, string? finish, JsonObject? filter, JsonObject? usage) => new()
        {
            ["choices"] = delta is null
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["content_filter_results"] = filter ?? new JsonObject(), ["delta"] = delta, ["finish_reason"] = finish, ["index"] = 0, ["logprobs"] = null }),
            ["created"] = 1741570283,
            ["id"] = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            ["model"] = DeployedModel,
            ["object"] = "chat.completion.chunk",
            ["system_fingerprint"] = "fp_ee1d74bde0",
            ["usage"] = usage,
        };

        yield return Chunk(new JsonObject { ["content"] = string.Empty, ["refusal"] = null, ["role"] = "assistant" }, null, null, null);
        foreach (var piece in Pieces)
        {
            yield return Chunk(new JsonObject { ["content"] = piece }, null, ContentFilterResults(), null);
        }

        yield return Chunk(new JsonObject(), "stop", null, null);
        if (includeUsage)
        {
            yield return Chunk(null, null, null, Usage(StreamPromptTokens, StreamCompletionTokens));
        }
    }

    /// <summary>Azure's documented error bodies (its own codes; the content filter's with its inner error).</summary>
    private static Task WriteErrorAsync(HttpContext context, int status, string deployment)
    {
        var error = status switch
        {
            401 => new JsonObject
            {
                ["code"] = "401",
                ["message"] = "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
            },
            404 => new JsonObject
            {
                ["code"] = "DeploymentNotFound",
                ["message"] = $"The API deployment {deployment} for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
            },
            429 => new JsonObject
            {
                ["code"] = "429",
                ["message"] = "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 20 seconds.",
            },
            400 => new JsonObject
            {
                ["message"] = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
                ["type"] = null,
                ["param"] = "prompt",
                ["code"] = "content_filter",
                ["status"] = 400,
                ["innererror"] = new JsonObject
                {
                    ["code"] = "ResponsibleAIPolicyViolation",
                    ["content_filter_result"] = new JsonObject
                    {
                        ["hate"] = Safe(),
                        ["jailbreak"] = new JsonObject { ["filtered"] = true, ["detected"] = true },
                        ["self_harm"] = Safe(),
                        ["sexual"] = Safe(),
                        ["violence"] = Safe(),
                    },
                },
            },
            _ => new JsonObject
            {
                ["code"] = "InternalServerError",
                ["message"] = "The service is temporarily unable to process your request. Please try again later.",
            },
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (status == 429)
        {
            context.Response.Headers["retry-after-ms"] = "20000";
            context.Response.Headers.RetryAfter = "20";
        }

        return context.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString(), context.RequestAborted);
    }
}
