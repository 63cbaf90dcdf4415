using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>The official OpenAI package (2.15.0) over a monitored HttpClient, against OpenAI's wire format.</summary>
public sealed class OpenAISdkTests
{
    private const string Model = "gpt-4o-mini";

    /// <summary>The SDK over <paramref name="http"/>; its own retries off (unless <paramref name="retryPolicy"/> says otherwise) so that every attempt is one the test made.</summary>
    internal static ChatClient ChatClient(HttpClient http, LoopbackServer server, string model = Model, ClientRetryPolicy? retryPolicy = null) =>
        new(model, new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            Endpoint = new Uri(server.BaseAddress, "v1"),
            RetryPolicy = retryPolicy ?? new ClientRetryPolicy(0),
        });

    private static readonly ChatMessage[] Hello = [new UserChatMessage("Say hello")];

    private static ChatMessage[] Fail(int status) => [new UserChatMessage("fail:" + status)];

    internal static async Task<(string Text, ChatTokenUsage? Usage)> StreamAsync(ChatClient chat, IEnumerable<ChatMessage>? messages = null)
    {
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages ?? Hello, cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
        }

        return (text.ToString(), usage);
    }

    /// <summary>
    /// 10 plain, 10 streamed and 4 failed calls, as in issue 11: the server's count, and every one under the model the code
    /// asked for. Auto finds OpenAI's shape from the path <c>/v1/chat/completions</c>.
    /// </summary>
    [Theory]
    [InlineData(ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Auto)]
    public async Task Every_call_is_counted_once_under_the_requested_model_streamed_and_failed_included(ApiFormat format)
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = format;
            o.Retry.Enabled = false; // one attempt per call, as the SDK's own retries are off too
        });
        var chat = ChatClient(monitored.Client, server);

        var failures = 0;
        for (var i = 0; i < 10; i++)
        {
            await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
            await StreamAsync(chat);
            if (i % 3 == 0)
            {
                // Interleaved with successes, so the circuit never opens.
                var status = new[] { 400, 429, 500, 400 }[failures++];
                var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Fail(status), cancellationToken: TestContext.Current.CancellationToken));
                Assert.Equal(status, error.Status);
            }
        }

        Assert.Equal(24, server.Attempts);
        Assert.Equal(
            Figures.Expected(Model, successes: 20, failures: 4,
                prompt: 10 * (OpenAIWire.PlainPromptTokens + OpenAIWire.StreamPromptTokens),
                completion: 10 * (OpenAIWire.PlainCompletionTokens + OpenAIWire.StreamCompletionTokens)),
            Figures.Of(monitored.Report, Model));
    }

    [Fact]
    public async Task Token_counts_are_exactly_what_the_sdk_parsed()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = ApiFormat.OpenAI;
            o.Pricing["gpt-4o-mini"] = new ModelPrice { InputPerMillion = 0.15, OutputPerMillion = 0.60, CachedInputPerMillion = 0.075 };
        });
        var chat = ChatClient(monitored.Client, server);

        long prompt = 0, completion = 0, cached = 0, reasoning = 0;
        for (var i = 0; i < 3; i++)
        {
            ChatCompletion plain = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
            var (_, usage) = await StreamAsync(chat);
            Assert.NotNull(usage);
            prompt += plain.Usage.InputTokenCount + usage.InputTokenCount;
            completion += plain.Usage.OutputTokenCount + usage.OutputTokenCount;
            cached += plain.Usage.InputTokenDetails.CachedTokenCount + usage.InputTokenDetails.CachedTokenCount;
            reasoning += plain.Usage.OutputTokenDetails.ReasoningTokenCount + usage.OutputTokenDetails.ReasoningTokenCount;
        }

        // The SDK asks for the stream's usage itself: nothing for the application to set.
        Assert.Equal(3, server.Received.Count(r => r.Body.Contains("\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal)));
        var report = monitored.Report;
        Assert.Equal(3 * (OpenAIWire.PlainPromptTokens + OpenAIWire.StreamPromptTokens), prompt);
        Assert.Equal(6 * OpenAIWire.CachedTokens, cached);
        Assert.Equal(6 * OpenAIWire.ReasoningTokens, reasoning);
        var expected = new TokenCounts(prompt, completion) { Cached = cached, Reasoning = reasoning };
        Assert.Equal(expected, report.TokenCounts);
        Assert.True(report.Models.TryGetValue(Model, out var model), "no model " + Model + " in: " + string.Join(",", report.Models.Keys));
        Assert.Equal(expected, model.TokenCounts);
        Assert.Equal([OpenAIWire.Snapshot(Model)], model.ResponseModels);

        // Spend from the tokens the SDK itself parsed: uncached prompt, cached prompt and completion at their prices.
        var usd = (((prompt - cached) * 0.15) + (cached * 0.075) + (completion * 0.60)) / 1_000_000;
        Assert.Equal(usd, report.CostUsd!.Value, 12);
        Assert.Equal(usd, model.CostUsd!.Value, 12);

        // OpenAI's rate-limit headers of the last of the six calls, as the server wrote them.
        var requests = report.RateLimits.Requests!;
        Assert.Equal((OpenAIWire.RequestLimit, OpenAIWire.RequestLimit - 6L), (requests.Limit, requests.Remaining));
        Assert.InRange(requests.ResetSeconds!.Value, 300, 360);
        var tokens = report.RateLimits.Tokens!;
        Assert.Equal((OpenAIWire.TokenLimit, OpenAIWire.TokenLimit - 6_000L), (tokens.Limit, tokens.Remaining));
        Assert.InRange(tokens.ResetSeconds!.Value, 0, 8.64);
        Assert.Equal(0, report.RateLimits.MalformedHeaders);
    }

    /// <summary>
    /// The SDK writes <c>"model"</c> after <c>"messages"</c>: a long conversation (200 KB, under the 1 MB body bound) puts
    /// it far from the start of the body, and the call is still counted under it.
    /// </summary>
    [Fact]
    public async Task A_long_conversation_is_counted_under_the_model_written_after_its_messages()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        var chat = ChatClient(monitored.Client, server);
        ChatMessage[] conversation = [new SystemChatMessage(new string('x', 200_000)), new UserChatMessage("Summarise the above")];

        await chat.CompleteChatAsync(conversation, cancellationToken: TestContext.Current.CancellationToken);
        await StreamAsync(chat, conversation);

        var body = server.Received.First().Body;
        Assert.True(body.IndexOf("\"model\"", StringComparison.Ordinal) > 200_000, "the SDK wrote the model before the messages");
        Assert.Equal(
            Figures.Expected(Model, successes: 2, failures: 0,
                prompt: OpenAIWire.PlainPromptTokens + OpenAIWire.StreamPromptTokens,
                completion: OpenAIWire.PlainCompletionTokens + OpenAIWire.StreamCompletionTokens),
            Figures.Of(monitored.Report, Model));
    }

    /// <summary>Our retry on (the default), the SDK's off: each attempt the server saw is a request or a retry attempt.</summary>
    [Fact]
    public async Task Server_attempts_equal_requests_plus_retry_attempts_and_a_retried_call_keeps_its_model()
    {
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FailFirstAttempts = 2 });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        var chat = ChatClient(monitored.Client, server);

        ChatCompletion completion = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(string.Concat(OpenAIWire.Pieces), completion.Content[0].Text);
        await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        var report = monitored.Report;
        Assert.Equal(4, server.Attempts);
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(2, report.RetryAttempts);
        Assert.Equal(1, report.Retries);
        Assert.Equal(
            Figures.Expected(Model, successes: 2, failures: 0, prompt: 2 * OpenAIWire.PlainPromptTokens, completion: 2 * OpenAIWire.PlainCompletionTokens),
            Figures.Of(report, Model));
        Assert.Equal(1, report.Models[Model].Retries);
    }

    /// <summary>The SDK's results, raw bytes included, are the same with and without monitoring.</summary>
    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        await Same.ResultsWithAndWithoutMonitoringAsync(monitored, http => ChatClient(http, server), RunAsync);
        Assert.Equal(3, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(ChatClient chat)
        {
            var plain = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
            var (text, usage) = await StreamAsync(chat);
            var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Fail(429), cancellationToken: TestContext.Current.CancellationToken));
            return string.Join(
                "\n",
                plain.GetRawResponse().Content.ToString(),
                $"{text}|{usage?.InputTokenCount}|{usage?.OutputTokenCount}|{usage?.InputTokenDetails?.CachedTokenCount}|{usage?.OutputTokenDetails?.ReasoningTokenCount}",
                $"{error.Status}|{error.GetRawResponse()?.Content}");
        }
    }
}
