using System.Net;
using System.Text;
using static Resilience.Metrics.Tests.BackendSamples;

namespace Resilience.Metrics.Tests;

/// <summary>The extractor inside a real <see cref="HttpClient"/> pipeline, as the monitoring strategy will use it.</summary>
public sealed class HttpClientPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_buffered_json_call_returns_the_usage_and_the_body()
    {
        using var handler = new InspectingHandler(() => TestResponses.Create(new ByteArrayContent(Encoding.UTF8.GetBytes(AnthropicMessage)), "application/json"));
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-20250514","max_tokens":1024,"messages":[]}""", Encoding.UTF8, "application/json"),
        };

        using HttpResponseMessage response = await client.SendAsync(request, Ct);

        Assert.Equal("claude-sonnet-4-20250514", handler.RequestModel);
        Assert.Equal(new TokenUsage(12, 6, "claude-sonnet-4-20250514"), handler.Usage);
        Assert.Equal(AnthropicMessage, await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(handler.StreamReports);
    }

    [Fact]
    public async Task A_stream_read_by_httpclient_buffering_is_reported()
    {
        using var handler = new InspectingHandler(() => TestResponses.Streamed(Encoding.UTF8.GetBytes(OpenAIStream), "text/event-stream", chunkSize: 13));
        using var client = new HttpClient(handler);

        string body = await client.GetStringAsync(new Uri("https://api.openai.com/v1/chat/completions"), Ct);

        Assert.Equal(OpenAIStream, body);
        Assert.Equal([new TokenUsage(9, 12, "gpt-4o-mini-2024-07-18")], handler.StreamReports);
    }

    [Fact]
    public async Task A_stream_read_with_response_headers_read_is_reported()
    {
        using var handler = new InspectingHandler(() => TestResponses.Streamed(Encoding.UTF8.GetBytes(GeminiStream), "text/event-stream", chunkSize: 29));
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            lines.Add(line);
        }

        Assert.Equal("gemini-2.0-flash", handler.RequestModel);
        Assert.Equal(6, lines.Count); // three events, each a data line and a blank line
        Assert.Equal([new TokenUsage(8, 12, "gemini-2.0-flash")], handler.StreamReports);
    }

    private sealed class InspectingHandler : DelegatingHandler
    {
        private readonly HttpUsageExtractor _extractor = new();

        public InspectingHandler(Func<HttpResponseMessage> respond)
        {
            InnerHandler = new StubHandler(respond);
        }

        public string? RequestModel { get; private set; }

        public TokenUsage Usage { get; private set; }

        public List<TokenUsage> StreamReports { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            RequestModel = _extractor.GetRequestModel(request);
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            response.RequestMessage = request;
            Usage = await _extractor.InspectResponseAsync(response, StreamReports.Add, cancellationToken);
            return response;
        }
    }

    private sealed class StubHandler(Func<HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(respond());
    }
}
