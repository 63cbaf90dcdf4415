using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.Tests;

/// <summary>
/// Anthropic's <c>cache_creation_input_tokens</c>: read as cache-write tokens, a part of the prompt tokens apart from
/// the cache reads, in a JSON body and in a stream (where <c>message_start</c> and a later <c>message_delta</c> may both
/// carry it), and counted once per call up to the report.
/// </summary>
public sealed class CacheWriteTokensTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // 100 uncached input tokens, 500 read from the cache, 2,000 written to it: a prompt of 2,600 tokens.
    private const string Message = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
         "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",
         "usage":{"input_tokens":100,"cache_creation_input_tokens":2000,"cache_read_input_tokens":500,
                  "cache_creation":{"ephemeral_5m_input_tokens":2000,"ephemeral_1h_input_tokens":0},"output_tokens":50}}
        """;

    private static readonly TokenUsage Expected = new(2_600, 50, "claude-sonnet-4-5-20250929") { CachedTokens = 500, CacheWriteTokens = 2_000 };

    /// <summary>A stream as Anthropic sends it; <paramref name="deltaRepeatsInput"/>: its <c>message_delta</c> repeats the input usage (cumulative, as the API now does).</summary>
    private static string Stream(bool deltaRepeatsInput) =>
        "event: message_start\n"
        + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\","
        + "\"usage\":{\"input_tokens\":100,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":500,\"output_tokens\":1}}}\n\n"
        + "event: content_block_delta\n"
        + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
        + "event: message_delta\n"
        + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{"
        + (deltaRepeatsInput ? "\"input_tokens\":100,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":500," : "")
        + "\"output_tokens\":50}}\n\n"
        + "event: message_stop\n"
        + "data: {\"type\":\"message_stop\"}\n\n";

    [Theory]
    [InlineData(ApiFormat.Anthropic)]
    [InlineData(ApiFormat.Generic)]
    public void A_message_reports_its_cache_writes_apart_from_its_cache_reads(ApiFormat format)
    {
        Assert.True(ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(Message), out TokenUsage usage));

        Assert.Equal(Expected, usage);
    }

    // What an OpenAI-shaped proxy in front of Claude (LiteLLM) answers: prompt_tokens is the whole prompt, and the
    // cache fields stand beside it.
    private const string ProxiedMessage = """
        {"id":"chatcmpl-1","object":"chat.completion","model":"claude-sonnet-4-5-20250929",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":2600,"completion_tokens":50,"total_tokens":2650,
                  "prompt_tokens_details":{"cached_tokens":500},
                  "cache_creation_input_tokens":2000,"cache_read_input_tokens":500}}
        """;

    [Theory]
    [InlineData(ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Groq)]
    [InlineData(ApiFormat.Generic)]
    public void An_openai_shaped_proxy_body_reports_the_same_cache_reads_and_writes(ApiFormat format)
    {
        Assert.True(ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(ProxiedMessage), out TokenUsage usage));

        Assert.Equal(Expected, usage);
    }

    // The same proxy without OpenAI's prompt_tokens_details: the cache reads come from cache_read_input_tokens.
    private const string ProxiedMessageWithoutDetails = """
        {"model":"claude-sonnet-4-5-20250929",
         "usage":{"prompt_tokens":2600,"completion_tokens":50,"cache_read_input_tokens":500,"cache_creation_input_tokens":2000}}
        """;

    [Theory]
    [InlineData(ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Groq)]
    [InlineData(ApiFormat.AzureOpenAI)]
    [InlineData(ApiFormat.Generic)]
    public void Every_openai_shaped_format_reads_claude_s_cache_fields_beside_either_prompt_count(ApiFormat format)
    {
        // Beside prompt_tokens (which includes them) and beside Anthropic's input_tokens (which leaves them out).
        Assert.True(ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(ProxiedMessageWithoutDetails), out TokenUsage proxied));
        Assert.True(ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(Message), out TokenUsage anthropic));

        Assert.Equal(Expected, proxied);
        Assert.Equal(Expected, anthropic);
    }

    [Fact]
    public void An_openai_body_without_cache_fields_has_no_cache_writes()
    {
        var body = """{"model":"gpt-4o","usage":{"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}}""";

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out TokenUsage usage));
        Assert.Equal(new TokenUsage(12, 5, "gpt-4o") { CachedTokens = 4 }, usage);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 7)]
    [InlineData(true, 7)]
    public void A_stream_counts_the_cache_writes_of_message_start_once(bool deltaRepeatsInput, int chunkSize)
    {
        byte[] body = Encoding.UTF8.GetBytes(Stream(deltaRepeatsInput));
        using var parser = new EventStreamUsageParser(ApiFormat.Anthropic);

        for (var i = 0; i < body.Length; i += chunkSize)
        {
            parser.Feed(body.AsSpan(i, Math.Min(chunkSize, body.Length - i)));
        }

        Assert.Equal(Expected, parser.Usage);
        Assert.True(parser.Complete);
    }

    [Fact]
    public async Task A_monitored_stream_and_message_add_their_cache_writes_once_each_to_the_backend_and_the_model()
    {
        var responses = new Queue<HttpResponseMessage>();
        using var backend = new QueueHandler(responses);
        var services = new ServiceCollection();
        services.AddHttpClient("anthropic")
            .AddApiMonitoring(o => o.ApiFormat = ApiFormat.Anthropic)
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic");
        responses.Enqueue(TestResponses.Streamed(Encoding.UTF8.GetBytes(Stream(deltaRepeatsInput: true)), "text/event-stream", chunkSize: 11));
        responses.Enqueue(TestResponses.Create(new ByteArrayContent(Encoding.UTF8.GetBytes(Message)), "application/json"));

        foreach (var stream in new[] { true, false })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
            {
                Content = new StringContent($$"""{"model":"claude-sonnet-4-5","stream":{{(stream ? "true" : "false")}},"max_tokens":64,"messages":[]}""", Encoding.UTF8, "application/json"),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(Ct);
        }

        var reporter = provider.GetRequiredService<IMetricsReporter>();
        var report = reporter.GetMetricsReport("anthropic");
        var both = new TokenCounts(5_200, 100) { Cached = 1_000, CacheWrite = 4_000 };
        Assert.Equal(2, report.TotalRequests);
        Assert.Equal(both, report.TokenCounts);
        Assert.Equal(both, report.Models["claude-sonnet-4-5"].TokenCounts);

        using var json = JsonDocument.Parse(reporter.GetJsonReport("anthropic"));
        Assert.Equal(4_000, json.RootElement.GetProperty("token_counts").GetProperty("cache_write").GetInt64());
        Assert.Equal(4_000, json.RootElement.GetProperty("models").GetProperty("claude-sonnet-4-5").GetProperty("token_counts").GetProperty("cache_write").GetInt64());
        Assert.Contains("\napi_token_details_total{api=\"anthropic\",type=\"cache_write\"} 4000\n", reporter.GetPrometheusMetrics(), StringComparison.Ordinal);
    }

    private sealed class QueueHandler(Queue<HttpResponseMessage> responses) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = responses.Dequeue();
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}
