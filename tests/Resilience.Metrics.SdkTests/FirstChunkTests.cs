using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OllamaSharp;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// Anthropic's SSE and Ollama's NDJSON streams through their official clients, the headers flushed at once and the first
/// chunk held back as a thinking model does: time to first chunk is when the first chunk is read, not when the headers
/// came, and the latency covers the whole stream (as <see cref="StreamTests"/> pins for OpenAI's).
/// </summary>
public sealed class FirstChunkTests
{
    private static readonly TimeSpan FirstChunkDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>9 events (<c>message_start</c> … <c>message_stop</c>), 100 ms apart after the first.</summary>
    [Fact]
    public async Task An_anthropic_stream_reports_its_first_event_and_lasts_until_message_stop()
    {
        var between = TimeSpan.FromMilliseconds(100);
        await using var server = await AnthropicWire.StartAsync(firstChunkDelay: FirstChunkDelay, chunkDelay: between);
        await using var monitored = Monitored.Create("anthropic", null, o => o.ApiFormat = ApiFormat.Anthropic);
        using var firstChunks = FirstChunks(monitored);

        var watch = Stopwatch.StartNew();
        var (text, _, output, _, _) = await AnthropicSdkTests.StreamAsync(AnthropicSdkTests.Client(monitored.Client, server));
        var streamed = watch.Elapsed;

        Assert.Equal(string.Concat(AnthropicWire.Pieces), text);
        Assert.Equal(AnthropicWire.StreamOutputTokens, output);
        AssertTimes(monitored, firstChunks, streamed, waitsAfterFirst: 8, between);
    }

    /// <summary>5 lines (4 pieces and the <c>"done": true</c> object), 150 ms apart after the first.</summary>
    [Fact]
    public async Task An_ollama_stream_reports_its_first_line_and_lasts_until_the_done_line()
    {
        var between = TimeSpan.FromMilliseconds(150);
        await using var server = await OllamaWire.StartAsync(firstChunkDelay: FirstChunkDelay, chunkDelay: between);
        await using var monitored = Monitored.Create("ollama", server.BaseAddress, o => o.ApiFormat = ApiFormat.Ollama);
        using var firstChunks = FirstChunks(monitored);

        var watch = Stopwatch.StartNew();
        var (text, _, eval) = await OllamaSdkTests.ChatAsync(new OllamaApiClient(monitored.Client, "llama3.2"));
        var streamed = watch.Elapsed;

        Assert.Equal(string.Concat(OllamaWire.Pieces), text);
        Assert.Equal(OllamaWire.StreamEvalTokens, eval);
        AssertTimes(monitored, firstChunks, streamed, waitsAfterFirst: 4, between);
    }

    private static MetricCollector<double> FirstChunks(Monitored monitored) =>
        new(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.time_to_first_chunk");

    /// <summary>The first chunk came <see cref="FirstChunkDelay"/> after the headers, the last <paramref name="waitsAfterFirst"/> waits after it.</summary>
    private static void AssertTimes(Monitored monitored, MetricCollector<double> firstChunks, TimeSpan streamed, int waitsAfterFirst, TimeSpan between)
    {
        var latency = monitored.Report.Latency;
        var firstChunk = Assert.IsType<LatencyMetrics>(latency.TimeToFirstByte);
        var rest = Timing.AtLeast(waitsAfterFirst, between);
        var detail = $"time to first chunk {firstChunk.AvgLatency} ms, latency {latency.MaxLatency} ms, the caller waited {streamed.TotalMilliseconds:F0} ms";

        // A first chunk taken when the headers arrived would be a few ms.
        Assert.True(firstChunk.AvgLatency >= Timing.AtLeast(1, FirstChunkDelay), detail);
        // The waits after the first chunk are all after it: in the latency, not in the time to first chunk.
        Assert.True(firstChunk.AvgLatency <= latency.MaxLatency - rest, detail);
        Assert.True(latency.MaxLatency >= Timing.AtLeast(1, FirstChunkDelay) + rest, detail);
        Assert.True(latency.MaxLatency <= streamed.TotalMilliseconds + 1, detail);
        Assert.Equal(firstChunk.AvgLatency / 1000, Assert.Single(firstChunks.GetMeasurementSnapshot()).Value, 3);
    }
}
