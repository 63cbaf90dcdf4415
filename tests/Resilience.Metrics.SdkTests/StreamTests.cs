using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenAI.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>Streamed OpenAI calls through the SDK: a streamed request lasts until its last byte (issue 11, item 2).</summary>
public sealed class StreamTests
{
    private const string Model = "gpt-4o-mini";

    /// <summary>The server waits 300 ms between chunks: the recorded latency covers the whole stream, not its headers.</summary>
    [Fact]
    public async Task A_streamed_call_is_recorded_with_a_latency_covering_the_whole_stream()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { ChunkDelay = delay });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        using var durations = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.duration");
        using var firstChunks = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.time_to_first_chunk");
        using var perChunks = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.time_per_output_chunk");
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server);

        var watch = Stopwatch.StartNew();
        var (text, _) = await OpenAISdkTests.StreamAsync(chat);
        var streamed = watch.Elapsed;

        Assert.Equal(string.Concat(OpenAIWire.Pieces), text);
        // 8 writes (role, 4 pieces, finish, usage, [DONE]): 7 waits of 300 ms before the last byte.
        var floor = Timing.AtLeast(7, delay);
        Assert.True(streamed.TotalMilliseconds >= floor, $"the stream took {streamed.TotalMilliseconds} ms"); // the harness's own check
        var report = monitored.Report;
        Assert.True(
            report.Latency.MaxLatency >= floor,
            $"recorded latency {report.Latency.MaxLatency} ms, the stream lasted {streamed.TotalMilliseconds:F0} ms (at least {floor} ms); time to first byte: {report.Latency.TimeToFirstByte?.AvgLatency} ms");
        // Monitoring's interval lies inside the caller's own (1 ms for the two clocks' rounding).
        Assert.True(report.Latency.MaxLatency <= streamed.TotalMilliseconds + 1, $"recorded {report.Latency.MaxLatency} ms, the caller waited {streamed.TotalMilliseconds} ms");
        var seconds = Assert.Single(durations.GetMeasurementSnapshot()).Value;
        Assert.True(seconds * 1000 >= floor, $"gen_ai.client.operation.duration {seconds * 1000} ms, the stream lasted at least {floor} ms");

        // The first chunk comes at once; the six after it each 300 ms later.
        var firstChunk = Assert.IsType<LatencyMetrics>(report.Latency.TimeToFirstByte);
        Assert.True(firstChunk.AvgLatency <= report.Latency.MaxLatency - Timing.AtLeast(6, delay), $"time to first chunk {firstChunk.AvgLatency} ms of {report.Latency.MaxLatency} ms");
        Assert.Equal(firstChunk.AvgLatency / 1000, Assert.Single(firstChunks.GetMeasurementSnapshot()).Value, 3);
        var perChunk = Assert.Single(perChunks.GetMeasurementSnapshot()).Value;
        // Both ways: the stream's own time from its first chunk, shared by its chunks (not the whole stream's time).
        Assert.InRange(perChunk, delay.TotalSeconds / 2, 2 * delay.TotalSeconds);
    }

    [Fact]
    public async Task Time_to_first_chunk_is_when_the_first_chunk_is_read_not_when_the_headers_arrive()
    {
        // Headers at once, the first chunk 500 ms later, the rest right after it.
        var wait = TimeSpan.FromMilliseconds(500);
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FirstChunkDelay = wait });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        using var firstChunks = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.time_to_first_chunk");

        var watch = Stopwatch.StartNew();
        var (text, _) = await OpenAISdkTests.StreamAsync(OpenAISdkTests.ChatClient(monitored.Client, server));
        var streamed = watch.Elapsed;

        Assert.Equal(string.Concat(OpenAIWire.Pieces), text);
        var firstChunk = Assert.IsType<LatencyMetrics>(monitored.Report.Latency.TimeToFirstByte);
        // A first byte taken when the headers arrived would be a few ms.
        Assert.InRange(firstChunk.AvgLatency, Timing.AtLeast(1, wait), streamed.TotalMilliseconds + 1);
        Assert.Equal(firstChunk.AvgLatency / 1000, Assert.Single(firstChunks.GetMeasurementSnapshot()).Value, 3);
    }

    /// <summary>
    /// A concurrency limit on an LLM backend limits concurrent generations: with 2 slots, 10 concurrent streams are never
    /// more than 2 at the server (which counts a stream until its last byte).
    /// </summary>
    [Fact]
    public async Task Ten_concurrent_streams_with_two_slots_are_never_more_than_two_at_the_server()
    {
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { ChunkDelay = TimeSpan.FromMilliseconds(40) });
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = ApiFormat.OpenAI;
            o.Queue.MaxConcurrentRequests = 2;
        });
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => OpenAISdkTests.StreamAsync(chat), TestContext.Current.CancellationToken)));

        Assert.All(results, r => Assert.Equal(string.Concat(OpenAIWire.Pieces), r.Text));
        Assert.Equal(10, server.Attempts);
        Assert.Equal(10, monitored.Report.TotalRequests);
        Assert.True(server.MaxInFlight <= 2, $"the server had {server.MaxInFlight} streams in flight at once");

        // The queue's own figures agree: streams waited (at most the 8 beyond the 2 slots), none was turned away, and
        // every slot was given back when its stream ended.
        var queue = monitored.Report.Queue;
        Assert.InRange(queue.MaxQueueLength, 1, 8);
        Assert.True(queue.AvgQueueTimeMs > 0, "streams beyond the 2 slots waited");
        Assert.Equal(0, queue.QueueRejectionCount);
        Assert.Equal(0, queue.ActiveRequests);
        Assert.Equal(0, queue.CurrentQueueSize);
    }

    /// <summary>The server resets the connection after 3 chunks: that request failed, whatever its headers said.</summary>
    [Fact]
    public async Task A_stream_cut_after_three_chunks_is_a_failure_of_its_request()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { AbortAfterChunks = 3, AbortWhen = received.Task });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server);

        var text = new System.Text.StringBuilder();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Say hello")], cancellationToken: TestContext.Current.CancellationToken))
            {
                text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
                if (text.Length == (OpenAIWire.Pieces[0] + OpenAIWire.Pieces[1]).Length)
                {
                    received.TrySetResult(); // chunks 1-3 (role, "Hel", "lo") are read: now the server cuts the connection
                }
            }
        });

        var report = monitored.Report;
        Assert.Equal(OpenAIWire.Pieces[0] + OpenAIWire.Pieces[1], text.ToString());
        Assert.Equal(1, server.Attempts);
        Assert.True(
            (report.TotalRequests, report.Successes, report.Failures) == (1, 0, 1),
            $"requests {report.TotalRequests}, successes {report.Successes}, failures {report.Failures}; the SDK threw {error.GetType().FullName}: {error.Message}");
    }
}
