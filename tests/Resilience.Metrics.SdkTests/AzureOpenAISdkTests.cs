using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.AI.OpenAI.Chat;
using OpenAI.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// The official Azure OpenAI package (<c>Azure.AI.OpenAI</c>, beside OpenAI 2.15.0) over a monitored HttpClient, against
/// Azure's wire format: the deployment in the URL, the <c>api-key</c> header, content filter results in the bodies.
/// </summary>
public sealed class AzureOpenAISdkTests
{
    private const string Deployment = AzureOpenAIWire.Deployment;

    /// <summary>The SDK over <paramref name="http"/> (its <c>Transport</c>); its own retries off so that every attempt is one the test made.</summary>
    internal static ChatClient ChatClient(HttpClient http, LoopbackServer server, string key = AzureOpenAIWire.Key, ClientRetryPolicy? retryPolicy = null) =>
        new AzureOpenAIClient(server.BaseAddress, new ApiKeyCredential(key), new AzureOpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = retryPolicy ?? new ClientRetryPolicy(0),
        }).GetChatClient(Deployment);

    private static readonly ChatMessage[] Hello = [new UserChatMessage("Say hello")];

    private static ChatMessage[] Fail(int status) => [new UserChatMessage("fail:" + status)];

    internal static async Task<(string Text, ChatTokenUsage? Usage, string Models)> StreamAsync(ChatClient chat)
    {
        var text = new System.Text.StringBuilder();
        var models = new List<string>();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(Hello, cancellationToken: TestContext.Current.CancellationToken))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            models.Add(update.Model);
            usage = update.Usage ?? usage;
        }

        return (text.ToString(), usage, string.Join(",", models.Distinct()));
    }

    private static Monitored Monitor(ApiFormat format, bool retries = false, Action<ApiMonitoringOptions>? more = null) => Monitored.Create("azure-openai", null, o =>
    {
        o.ApiFormat = format;
        o.Retry.Enabled = retries;
        more?.Invoke(o);
    });

    /// <summary>
    /// 5 plain, 5 streamed and 4 failed calls (content filter 400, 404, 429, 500): the server's count, each under the
    /// deployment the code asked for (the URL's, and the body's <c>model</c>), tokens as the SDK parsed them, and the model
    /// behind the deployment as the response model. Azure's stream opens with a chunk of an empty <c>model</c>, which
    /// names no response model.
    /// </summary>
    [Theory]
    [InlineData(ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Auto)]
    [InlineData(ApiFormat.AzureOpenAI)]
    public async Task Every_call_is_counted_once_under_the_deployment_with_the_tokens_the_sdk_parsed(ApiFormat format)
    {
        var (server, _) = await AzureOpenAIWire.StartAsync();
        await using var _ = server;
        await using var monitored = Monitor(format);
        var chat = ChatClient(monitored.Client, server);

        long prompt = 0, completion = 0, cached = 0;
        for (var i = 0; i < 5; i++)
        {
            ChatCompletion plain = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
            var (text, usage, models) = await StreamAsync(chat);
            Assert.Equal(string.Concat(AzureOpenAIWire.Pieces), text);
            Assert.Equal("," + AzureOpenAIWire.DeployedModel, models); // the SDK too sees the first chunk's empty model
            Assert.NotNull(usage);
            prompt += plain.Usage.InputTokenCount + usage.InputTokenCount;
            completion += plain.Usage.OutputTokenCount + usage.OutputTokenCount;
            cached += plain.Usage.InputTokenDetails.CachedTokenCount + usage.InputTokenDetails.CachedTokenCount;
            if (i < 4)
            {
                var status = new[] { 400, 404, 429, 500 }[i];
                var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Fail(status), cancellationToken: TestContext.Current.CancellationToken));
                Assert.Equal(status, error.Status);
            }
        }

        // The path the SDK really calls, logged by the server: the deployment and an api-version, never a model name.
        Assert.All(server.Received, r => Assert.StartsWith($"/openai/deployments/{Deployment}/chat/completions?api-version=", r.Path, StringComparison.Ordinal));
        Assert.All(server.Received, r => Assert.Contains($"\"model\":\"{Deployment}\"", r.Body, StringComparison.Ordinal));
        Assert.Equal(5 * (AzureOpenAIWire.PlainPromptTokens + AzureOpenAIWire.StreamPromptTokens), prompt);
        Assert.Equal(5 * (AzureOpenAIWire.PlainCompletionTokens + AzureOpenAIWire.StreamCompletionTokens), completion);
        Assert.Equal(14, server.Attempts);

        var report = monitored.Report;
        Assert.Equal(Figures.Expected(Deployment, successes: 10, failures: 4, prompt, completion), Figures.Of(report, Deployment));
        Assert.Equal(cached, report.TokenCounts.Cached);
        Assert.Equal([AzureOpenAIWire.DeployedModel], report.Models[Deployment].ResponseModels);

        // Azure's rate-limit headers (remaining only) of the last of the 14 attempts.
        Assert.Equal(1_000 - 14L, report.RateLimits.Requests?.Remaining);
        Assert.Equal(150_000 - 14_000L, report.RateLimits.Tokens?.Remaining);
    }

    /// <summary>
    /// Prices match the model a request is counted under, which on Azure is the deployment: a price for the deployment's
    /// name prices its calls; one for the model behind it (<c>gpt-4o</c>, which the response's <c>gpt-4o-2024-08-06</c>
    /// begins with) does not.
    /// </summary>
    [Fact]
    public async Task A_deployment_is_priced_under_its_own_name_not_the_model_behind_it()
    {
        var (server, _) = await AzureOpenAIWire.StartAsync();
        await using var _ = server;
        await using var monitored = Monitor(ApiFormat.Auto, more: o =>
        {
            o.Pricing[Deployment] = new ModelPrice { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25 };
            o.Pricing["gpt-4o"] = new ModelPrice { InputPerMillion = 100, OutputPerMillion = 100 };
        });
        var chat = ChatClient(monitored.Client, server);

        ChatCompletion plain = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        var usage = plain.Usage;
        var cached = usage.InputTokenDetails.CachedTokenCount;
        var usd = (((usage.InputTokenCount - cached) * 2.5) + (cached * 1.25) + (usage.OutputTokenCount * 10)) / 1_000_000;
        var report = monitored.Report;
        Assert.Equal(usd, report.CostUsd!.Value, 12);
        Assert.Equal(usd, report.Models[Deployment].CostUsd!.Value, 12);
        Assert.Empty(report.UnpricedModels ?? []);
    }

    /// <summary>Our retry on (the default), the SDK's off: each attempt the server saw is a request or a retry attempt.</summary>
    [Fact]
    public async Task Server_attempts_equal_requests_plus_retry_attempts_and_a_retried_call_keeps_its_deployment()
    {
        var (server, _) = await AzureOpenAIWire.StartAsync(new AzureOpenAIWireOptions { FailFirstAttempts = 2 });
        await using var _ = server;
        await using var monitored = Monitor(ApiFormat.Auto, retries: true);
        var chat = ChatClient(monitored.Client, server);

        ChatCompletion first = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(string.Concat(AzureOpenAIWire.Pieces), first.Content[0].Text);
        await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        var report = monitored.Report;
        Assert.Equal(4, server.Attempts);
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal((2L, 1L), (report.RetryAttempts, report.Retries));
        Assert.Equal(
            Figures.Expected(Deployment, successes: 2, failures: 0, 2 * AzureOpenAIWire.PlainPromptTokens, 2 * AzureOpenAIWire.PlainCompletionTokens),
            Figures.Of(report, Deployment));
        Assert.Equal(1, report.Models[Deployment].Retries);
    }

    /// <summary>The SDK's own retries kept, numbered by docs/sdks.md's <see cref="MarkedRetryPolicy"/>, our resilience off.</summary>
    [Fact]
    public async Task With_the_sdks_retries_marked_two_failures_then_a_success_are_one_request_and_two_retry_attempts()
    {
        var (server, _) = await AzureOpenAIWire.StartAsync(new AzureOpenAIWireOptions { FailFirstAttempts = 2 });
        await using var _ = server;
        await using var monitored = Monitor(ApiFormat.Auto, more: o => o.Resilience = ApiResilience.None);
        var chat = ChatClient(monitored.Client, server, retryPolicy: new NoDelayMarkedRetryPolicy());

        ChatCompletion completion = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(string.Concat(AzureOpenAIWire.Pieces), completion.Content[0].Text);
        var report = monitored.Report;
        Assert.Equal(3, server.Attempts);
        Assert.Equal((1L, 1L, 0L, 2L, 1L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
        Assert.Equal(1, report.Models[Deployment].Requests);
    }

    /// <summary>Headers at once, the first chunk (Azure's prompt filter results) 500 ms later: time to first chunk is the chunk's.</summary>
    [Fact]
    public async Task Time_to_first_chunk_is_when_the_first_chunk_is_read_and_the_latency_covers_the_stream()
    {
        var wait = TimeSpan.FromMilliseconds(500);
        var (server, _) = await AzureOpenAIWire.StartAsync(new AzureOpenAIWireOptions { FirstChunkDelay = wait });
        await using var _ = server;
        await using var monitored = Monitor(ApiFormat.Auto);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (text, _, _) = await StreamAsync(ChatClient(monitored.Client, server));
        var streamed = watch.Elapsed;

        Assert.Equal(string.Concat(AzureOpenAIWire.Pieces), text);
        var latency = monitored.Report.Latency;
        var firstChunk = Assert.IsType<LatencyMetrics>(latency.TimeToFirstByte);
        // A first byte taken when the headers arrived would be a few ms.
        Assert.InRange(firstChunk.AvgLatency, Timing.AtLeast(1, wait), latency.MaxLatency);
        Assert.InRange(latency.MaxLatency, Timing.AtLeast(1, wait), streamed.TotalMilliseconds + 1);
    }

    /// <summary>The SDK's results, raw bytes and Azure's content filter results included, are the same with and without monitoring.</summary>
    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        var (server, _) = await AzureOpenAIWire.StartAsync();
        await using var _ = server;
        await using var monitored = Monitor(ApiFormat.Auto);
        await Same.ResultsWithAndWithoutMonitoringAsync(monitored, http => ChatClient(http, server), RunAsync);
        Assert.Equal(4, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(ChatClient chat)
        {
            var result = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
            ChatCompletion plain = result.Value;
#pragma warning disable AOAI001 // Azure's content filter results are an evaluation API of the package
            var filters = $"{plain.GetRequestContentFilterResult()?.Jailbreak?.Detected}|{plain.GetResponseContentFilterResult()?.Violence?.Severity}";
#pragma warning restore AOAI001
            var (text, usage, models) = await StreamAsync(chat);
            var filtered = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Fail(400), cancellationToken: TestContext.Current.CancellationToken));
            var limited = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Fail(429), cancellationToken: TestContext.Current.CancellationToken));
            return string.Join(
                "\n",
                result.GetRawResponse().Content.ToString(),
                filters,
                $"{text}|{models}|{usage?.InputTokenCount}|{usage?.OutputTokenCount}|{usage?.InputTokenDetails?.CachedTokenCount}",
                $"{filtered.Status}|{filtered.Message}|{filtered.GetRawResponse()?.Content}",
                $"{limited.Status}|{RetryAfterMs(limited)}|{limited.GetRawResponse()?.Content}");
        }

        static string? RetryAfterMs(ClientResultException error) =>
            error.GetRawResponse() is { } response && response.Headers.TryGetValue("retry-after-ms", out var value) ? value : null;
    }
}
