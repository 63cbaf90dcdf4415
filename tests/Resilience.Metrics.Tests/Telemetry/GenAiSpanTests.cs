using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Resilience.Metrics.Tests.Telemetry;

/// <summary>
/// The request span as an OpenTelemetry exporter sees it: GenAI client-span conventions for a plain, a streamed, a
/// retried and a failed call, retries and queue waits as events, and never a word of the prompt or the answer.
/// </summary>
public sealed class GenAiSpanTests
{
    private const string Prompt = "SECRET-PROMPT-TEXT";
    private const string Answer = "SECRET-ANSWER-TEXT";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_plain_call_is_a_chat_span_with_models_usage_and_server()
    {
        var backend = "spans-plain-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.OK), client => client.PostAsync(ChatUrl, Chat(), Ct));

        var span = Assert.Single(spans);
        Assert.Equal("chat gpt-4o-mini", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        AssertTags(span, new()
        {
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.provider.name"] = "openai",
            ["gen_ai.request.model"] = "gpt-4o-mini",
            ["gen_ai.response.model"] = "gpt-4o-mini-2024-07-18",
            ["gen_ai.usage.input_tokens"] = 12L,
            ["gen_ai.usage.output_tokens"] = 5L,
            ["server.address"] = "api.openai.com",
            ["server.port"] = 443,
            ["api.backend"] = backend,
        });
        Assert.Null(span.GetTagItem("error.type"));
        AssertNoContent(span);
    }

    [Fact]
    public async Task A_streamed_call_ends_its_span_with_the_streams_usage()
    {
        var backend = "spans-stream-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.OK) { Stream = true }, async client =>
        {
            var response = await client.PostAsync(ChatUrl, Chat(), Ct);
            await response.Content.ReadAsStringAsync(Ct);
            response.Dispose();
            return response;
        });

        var span = Assert.Single(spans);
        Assert.Equal("chat gpt-4o-mini", span.DisplayName);
        AssertTags(span, new() { ["gen_ai.response.model"] = "gpt-4o-mini-2024-07-18", ["gen_ai.usage.input_tokens"] = 12L, ["gen_ai.usage.output_tokens"] = 5L });
        AssertNoContent(span);
    }

    [Fact]
    public async Task A_retried_call_shows_each_retry_as_an_event_with_its_error_and_delay()
    {
        var backend = "spans-retry-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.InternalServerError, HttpStatusCode.OK), client => client.PostAsync(ChatUrl, Chat(), Ct));

        var span = Assert.Single(spans);
        var retry = Assert.Single(span.Events, e => e.Name == "api.retry");
        var tags = retry.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal((1, "500", 1.0), (tags["api.retry.attempt"], tags["error.type"], tags["api.retry.delay_ms"]));
        Assert.Null(span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_failed_call_has_its_error_type_and_an_error_status()
    {
        var backend = "spans-failed-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.BadRequest), client => client.PostAsync(ChatUrl, Chat(), Ct));

        var span = Assert.Single(spans);
        Assert.Equal("chat gpt-4o-mini", span.DisplayName);
        AssertTags(span, new() { ["error.type"] = "400", ["http.response.status_code"] = 400 });
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        AssertNoContent(span);
    }

    [Fact]
    public async Task A_queued_call_shows_its_wait()
    {
        var backend = "spans-queue-" + Guid.NewGuid().ToString("N");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.OK) { Gate = gate.Task }, async client =>
        {
            var first = client.PostAsync(ChatUrl, Chat(), Ct);
            var second = client.PostAsync(ChatUrl, Chat(), Ct);
            gate.SetResult();
            (await first).Dispose();
            return await second;
        }, o => o.Queue.MaxConcurrentRequests = 1);

        Assert.Equal(2, spans.Count);
        Assert.Contains(spans, s => s.Events.Any(e => e.Name == "api.queue.admitted") && s.GetTagItem("api.queue.wait_ms") is double);
    }

    [Fact]
    public async Task An_embeddings_call_is_an_embeddings_span()
    {
        var backend = "spans-embed-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.OK), client => client.PostAsync(
            "https://api.openai.com/v1/embeddings", new StringContent("""{"model":"text-embedding-3-small","input":"x"}""", Encoding.UTF8, "application/json"), Ct));

        var span = Assert.Single(spans);
        Assert.Equal("embeddings text-embedding-3-small", span.DisplayName);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
    }

    [Fact]
    public async Task A_call_to_an_unknown_api_that_names_no_model_is_no_genai_span()
    {
        var backend = "spans-rest-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(backend, new FakeOpenAI(HttpStatusCode.OK), client => client.GetAsync("http://127.0.0.1:9/orders/42", Ct));

        var span = Assert.Single(spans);
        Assert.Equal("api.request", span.DisplayName);
        Assert.Null(span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
    }

    [Fact]
    public async Task A_call_to_an_unknown_api_whose_sdk_body_names_a_model_is_a_genai_span()
    {
        // The body is read for its model only once buffered (an SDK's content type), after the span was described.
        var backend = "spans-sdk-body-" + Guid.NewGuid().ToString("N");
        var spans = await RecordAsync(
            backend,
            new FakeOpenAI(HttpStatusCode.OK),
            client => client.PostAsync("http://127.0.0.1:9/llm/run", new SdkContent("""{"model":"my-model","prompt":"x"}"""), Ct),
            o => o.ApiFormat = ApiFormat.Generic);

        var span = Assert.Single(spans);
        Assert.Equal("chat my-model", span.DisplayName);
        AssertTags(span, new() { ["gen_ai.operation.name"] = "chat", ["gen_ai.provider.name"] = backend, ["gen_ai.request.model"] = "my-model" });
    }

    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";

    /// <summary>A JSON body of known length that is no in-memory content type, as the OpenAI SDK's adapter is.</summary>
    private sealed class SdkContent(string json) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    private static StringContent Chat() =>
        new($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{Prompt}}"}]}""", Encoding.UTF8, "application/json");

    private static async Task<List<Activity>> RecordAsync(
        string backend, FakeOpenAI handler, Func<HttpClient, Task<HttpResponseMessage>> call, Action<ApiMonitoringOptions>? configure = null)
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ApiMonitoringTelemetry.Name).AddInMemoryExporter(exported).Build())
        {
            var services = new ServiceCollection();
            services.AddHttpClient(backend)
                .AddApiMonitoring(o =>
                {
                    o.Retry.InitialRetryDelay = TimeSpan.FromMilliseconds(1);
                    o.Retry.UseJitter = false;
                    configure?.Invoke(o);
                })
                .ConfigurePrimaryHttpMessageHandler(() => handler);
            await using var provider = services.BuildServiceProvider();
            (await call(provider.GetRequiredService<IHttpClientFactory>().CreateClient(backend))).Dispose();
            tracing.ForceFlush();
        }

        // The activity source is process-wide: other tests' spans are told apart by backend.
        lock (exported)
        {
            return exported.Where(a => (string?)a.GetTagItem("api.backend") == backend).ToList();
        }
    }

    private static void AssertTags(Activity span, Dictionary<string, object> expected)
    {
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, span.GetTagItem(key));
        }
    }

    private static void AssertNoContent(Activity span)
    {
        var everything = string.Join("|", span.TagObjects.Select(t => t.Value?.ToString())
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => t.Value?.ToString())))
            .Append(span.DisplayName));
        Assert.DoesNotContain(Prompt, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Answer, everything, StringComparison.Ordinal);
    }

    /// <summary>Answers in OpenAI's wire format with the given statuses in turn (the last repeats), JSON or a stream.</summary>
    private sealed class FakeOpenAI(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public bool Stream { get; init; }

        public Task? Gate { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Gate is not null)
            {
                await Gate.WaitAsync(cancellationToken);
            }

            var status = statuses[Math.Min(Interlocked.Increment(ref _calls) - 1, statuses.Length - 1)];
            if (status != HttpStatusCode.OK)
            {
                return new HttpResponseMessage(status) { Content = new StringContent("""{"error":{"message":"nope"}}""", Encoding.UTF8, "application/json") };
            }

            const string usage = "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}";
            var content = Stream
                ? new StringContent(
                    $"data: {{\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{{\"delta\":{{\"content\":\"{Answer}\"}}}}]}}\n\n"
                    + $"data: {{\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],{usage}}}\n\ndata: [DONE]\n\n",
                    Encoding.UTF8,
                    "text/event-stream")
                : new StringContent(
                    $"{{\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{{\"message\":{{\"content\":\"{Answer}\"}}}}],{usage}}}",
                    Encoding.UTF8,
                    "application/json");
            return new HttpResponseMessage(status) { Content = content };
        }
    }
}
