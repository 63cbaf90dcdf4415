using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenAI.Responses;

// ResponsesClient is marked for evaluation in 2.15.0 (OPENAI001); the wire format it speaks is OpenAI's documented one.
#pragma warning disable OPENAI001

namespace Resilience.Metrics.SdkTests;

/// <summary>The OpenAI package's Responses API (<c>ResponsesClient</c>, <c>POST /v1/responses</c>) over a monitored HttpClient.</summary>
public sealed class OpenAIResponsesSdkTests
{
    private const string Model = "gpt-4o";

    private const string Hello = "Say good morning";

    /// <summary>The SDK over <paramref name="http"/>; its own retries off so that every attempt is one the test made.</summary>
    internal static ResponsesClient Client(HttpClient http, LoopbackServer server) =>
        new(new ApiKeyCredential("sk-test"), new ResponsesClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            Endpoint = new Uri(server.BaseAddress, "v1"),
            RetryPolicy = new ClientRetryPolicy(0),
        });

    /// <summary>A streamed response: its text from the deltas, the completed response, and every event as <c>kind#sequence</c>.</summary>
    internal static async Task<(string Text, ResponseResult? Completed, string Events)> StreamAsync(ResponsesClient client, string input = Hello)
    {
        var text = new StringBuilder();
        var events = new List<string>();
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(Model, input, cancellationToken: TestContext.Current.CancellationToken))
        {
            events.Add($"{update.Kind}#{update.SequenceNumber}");
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
            else if (update is StreamingResponseCompletedUpdate done)
            {
                completed = done.Response;
            }
        }

        return (text.ToString(), completed, string.Join(",", events));
    }

    private static Task<ClientResult<ResponseResult>> CreateAsync(ResponsesClient client, string input = Hello) =>
        client.CreateResponseAsync(Model, input, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>
    /// 5 plain, 5 streamed and 3 failed calls: the server's count, every one under the model the code asked for, and
    /// every request's span read as OpenAI's chat. Auto finds OpenAI's shape from the path <c>/v1/responses</c>.
    /// </summary>
    [Theory]
    [InlineData(ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Auto)]
    public async Task Every_call_is_counted_once_under_the_requested_model_streamed_and_failed_included(ApiFormat format)
    {
        // Not "openai": an API Auto does not recognise would get the backend's name as its provider.
        const string backend = "llm-responses";
        using var spans = new Spans(backend);
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create(backend, null, o =>
        {
            o.ApiFormat = format;
            o.Retry.Enabled = false; // one attempt per call, as the SDK's own retries are off too
        });
        var client = Client(monitored.Client, server);

        var failures = 0;
        for (var i = 0; i < 5; i++)
        {
            ResponseResult plain = await CreateAsync(client);
            Assert.Equal(string.Concat(OpenAIResponsesWire.Pieces), plain.GetOutputText());
            var (text, completed, _) = await StreamAsync(client);
            Assert.Equal(string.Concat(OpenAIResponsesWire.Pieces), text);
            Assert.NotNull(completed);
            if (i % 2 == 0)
            {
                var status = new[] { 400, 429, 500 }[failures++];
                var error = await Assert.ThrowsAsync<ClientResultException>(() => CreateAsync(client, "fail:" + status));
                Assert.Equal(status, error.Status);
            }
        }

        Assert.Equal(13, server.Attempts);
        var report = monitored.Report;
        Assert.Equal(
            Figures.Expected(Model, successes: 10, failures: 3,
                prompt: 5 * (OpenAIResponsesWire.PlainInputTokens + OpenAIResponsesWire.StreamInputTokens),
                completion: 5 * (OpenAIResponsesWire.PlainOutputTokens + OpenAIResponsesWire.StreamOutputTokens)),
            Figures.Of(report, Model));
        Assert.Equal([OpenAIWire.Snapshot(Model)], report.Models[Model].ResponseModels);
        Assert.Equal(Enumerable.Repeat("openai/chat", 13), spans.ProvidersAndOperations);
    }

    [Fact]
    public async Task Token_counts_are_exactly_what_the_sdk_parsed()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        var client = Client(monitored.Client, server);

        long prompt = 0, completion = 0, cached = 0, reasoning = 0;
        for (var i = 0; i < 3; i++)
        {
            ResponseResult plain = await CreateAsync(client);
            var (_, streamed, _) = await StreamAsync(client);
            Assert.NotNull(streamed);
            foreach (var usage in new[] { plain.Usage, streamed.Usage })
            {
                prompt += usage.InputTokenCount;
                completion += usage.OutputTokenCount;
                cached += usage.InputTokenDetails.CachedTokenCount;
                reasoning += usage.OutputTokenDetails.ReasoningTokenCount;
            }
        }

        // The SDK parsed what the server wrote: the report cannot match by both being zero.
        Assert.Equal(3 * (OpenAIResponsesWire.PlainInputTokens + OpenAIResponsesWire.StreamInputTokens), prompt);
        Assert.Equal(3 * (OpenAIResponsesWire.PlainOutputTokens + OpenAIResponsesWire.StreamOutputTokens), completion);
        Assert.Equal(6 * OpenAIResponsesWire.CachedTokens, cached);
        Assert.Equal(6 * OpenAIResponsesWire.ReasoningTokens, reasoning);
        var expected = new TokenCounts(prompt, completion) { Cached = cached, Reasoning = reasoning };
        var report = monitored.Report;
        Assert.Equal(expected, report.TokenCounts);
        Assert.True(report.Models.TryGetValue(Model, out var model), "no model " + Model + " in: " + string.Join(",", report.Models.Keys));
        Assert.Equal(expected, model.TokenCounts);
        Assert.Equal(6, model.Requests);
        Assert.Equal([OpenAIWire.Snapshot(Model)], model.ResponseModels);
    }

    /// <summary>
    /// The first event 300 ms after the headers, the 11 after it 50 ms apart: the time to first chunk is the first
    /// event's, the latency covers the whole stream, and the time per chunk is the events' spacing (each event one chunk).
    /// </summary>
    [Fact]
    public async Task A_streamed_response_reports_its_time_to_first_chunk_and_lasts_until_its_last_event()
    {
        var wait = TimeSpan.FromMilliseconds(300);
        var spacing = TimeSpan.FromMilliseconds(50);
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FirstChunkDelay = wait, ChunkDelay = spacing });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        using var firstChunks = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.time_to_first_chunk");
        using var perChunks = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.time_per_output_chunk");

        var watch = Stopwatch.StartNew();
        var (text, _, events) = await StreamAsync(Client(monitored.Client, server));
        var streamed = watch.Elapsed;

        Assert.Equal(string.Concat(OpenAIResponsesWire.Pieces), text);
        Assert.Equal(12, events.Split(',').Length); // the harness's own check: 12 events, 11 gaps
        var report = monitored.Report;
        var gaps = Timing.AtLeast(11, spacing);
        Assert.InRange(report.Latency.MaxLatency, Timing.AtLeast(1, wait) + gaps, streamed.TotalMilliseconds + 1);
        var firstChunk = Assert.IsType<LatencyMetrics>(report.Latency.TimeToFirstByte);
        Assert.InRange(firstChunk.AvgLatency, Timing.AtLeast(1, wait), report.Latency.MaxLatency - gaps);
        Assert.Equal(firstChunk.AvgLatency / 1000, Assert.Single(firstChunks.GetMeasurementSnapshot()).Value, 3);
        var perChunk = Assert.Single(perChunks.GetMeasurementSnapshot()).Value * 1000;
        Assert.True(perChunk >= spacing.TotalMilliseconds * 0.8, $"time per output chunk {perChunk} ms between events sent {spacing.TotalMilliseconds} ms apart");
    }

    /// <summary>
    /// A Responses stream has no <c>[DONE]</c>: the server resets the connection after 6 of its 12 events (two text
    /// deltas, before <c>response.completed</c>), and that request failed, whatever its headers said.
    /// </summary>
    [Fact]
    public async Task A_stream_cut_before_response_completed_is_a_failure_of_its_request()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { AbortAfterChunks = 6, AbortWhen = received.Task });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        var client = Client(monitored.Client, server);
        var firstTwo = OpenAIResponsesWire.Pieces[0] + OpenAIResponsesWire.Pieces[1];

        var text = new StringBuilder();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in await client.CreateResponseStreamingAsync(Model, Hello, cancellationToken: TestContext.Current.CancellationToken))
            {
                text.Append((update as StreamingResponseOutputTextDeltaUpdate)?.Delta);
                if (text.Length == firstTwo.Length)
                {
                    received.TrySetResult(); // events 1-6 are read: now the server cuts the connection
                }
            }
        });

        var report = monitored.Report;
        Assert.Equal(firstTwo, text.ToString());
        Assert.Equal(1, server.Attempts);
        Assert.True(
            (report.TotalRequests, report.Successes, report.Failures) == (1, 0, 1),
            $"requests {report.TotalRequests}, successes {report.Successes}, failures {report.Failures}; the SDK threw {error.GetType().FullName}: {error.Message}");
    }

    /// <summary>The SDK's results, raw bytes and every stream event included, are the same with and without monitoring.</summary>
    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        await Same.ResultsWithAndWithoutMonitoringAsync(monitored, http => Client(http, server), RunAsync);
        Assert.Equal(3, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(ResponsesClient client)
        {
            var plain = await CreateAsync(client);
            var (text, completed, events) = await StreamAsync(client);
            var usage = completed?.Usage;
            var error = await Assert.ThrowsAsync<ClientResultException>(() => CreateAsync(client, "fail:429"));
            return string.Join(
                "\n",
                plain.GetRawResponse().Content.ToString(),
                $"{text}|{events}|{completed?.Model}|{completed?.Status}|{usage?.InputTokenCount}|{usage?.OutputTokenCount}|{usage?.InputTokenDetails?.CachedTokenCount}|{usage?.OutputTokenDetails?.ReasoningTokenCount}",
                $"{error.Status}|{error.GetRawResponse()?.Content}");
        }
    }
}
