using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Polly;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// What reading a response body's model and tokens costs, against the caller reading the same bytes without
/// monitoring. Every variant runs the same harness: a Polly pipeline whose callback returns a new in-memory response,
/// then the caller reads its body. The pipelines differ only in what they hold:
/// <list type="bullet">
/// <item>unmonitored: an empty pipeline — the caller's read alone (the baseline);</item>
/// <item>monitored, body not read: the library's request-monitoring strategy alone, with <see cref="ApiFormat.S3"/>
/// (whose bodies hold no usage) — the strategy's per-request cost without any body work;</item>
/// <item>monitored: the same strategy with <see cref="ApiFormat.OpenAI"/> — the body's model and tokens read as the
/// application gets them, recorded into a collector.</item>
/// </list>
/// (monitored) / (unmonitored) is the ratio the targets use; (monitored) − (body not read) is the body's share alone.
/// No HttpClient and no queue, retry or breaker are in the way, so their microseconds do not hide the body's.
/// </summary>
public abstract class BodyReadingBenchmarksBase
{
    private ResiliencePipeline<HttpResponseMessage> _empty = null!;
    private ResiliencePipeline<HttpResponseMessage> _monitoredNoBody = null!;
    private ResiliencePipeline<HttpResponseMessage> _monitored = null!;
    private MetricsCollector _collector = null!;

    /// <summary>What the monitored variant recorded: requests, completion and cached tokens, and the response models
    /// (a check that the body was read, printed by the quick mode).</summary>
    internal string Counted()
    {
        var report = new MetricsReporter(_collector).GetMetricsReport("body-read");
        return $"{report.TotalRequests} requests, {report.TokenCounts.Completion} completion tokens, {report.TokenCounts.Cached} cached, models: {string.Join(", ", report.Models.Keys)}";
    }

    [GlobalSetup]
    public void Setup()
    {
        _collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(_collector);   // as AddApiMonitoring() does: the instruments are there, disabled until listened to
        _empty = new ResiliencePipelineBuilder<HttpResponseMessage>().Build();
        _monitoredNoBody = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(_collector.RegisterBackend("body-not-read"), _collector, new RequestMonitoringStrategyOptions { ApiFormat = ApiFormat.S3 })
            .Build();
        _monitored = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(_collector.RegisterBackend("body-read"), _collector, new RequestMonitoringStrategyOptions { ApiFormat = ApiFormat.OpenAI })
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup() => _collector.Dispose();

    private protected abstract HttpResponseMessage CreateResponse();

    private protected HttpResponseMessage Unmonitored() => Execute(_empty);

    private protected HttpResponseMessage MonitoredNoBody() => Execute(_monitoredNoBody);

    private protected HttpResponseMessage Monitored() => Execute(_monitored);

    private HttpResponseMessage Execute(ResiliencePipeline<HttpResponseMessage> pipeline)
    {
        // The request named its model (as suite 1's harness does): the body is read for the response's model and tokens.
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ApiMonitoringContext.Model, BodyData.RequestModel);
        var pending = pipeline.ExecuteOutcomeAsync(static (_, self) => Outcome.FromResultAsValueTask(self.CreateResponse()), context, this);
        var outcome = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        ResilienceContextPool.Shared.Return(context);
        return outcome.Result!;
    }
}

/// <summary>
/// A 1 KB OpenAI chat completion (model first, usage with cached and reasoning details last, as OpenAI writes it)
/// from an in-memory response, which the caller reads as a string (what <c>HttpClient.GetStringAsync</c> and suite 2
/// do). The library reads the in-memory body in place with one <c>Utf8JsonReader</c> pass, before the caller reads it.
/// </summary>
[MemoryDiagnoser]
public class JsonBodyBenchmarks : BodyReadingBenchmarksBase
{
    [Benchmark(Baseline = true, Description = "unmonitored: ReadAsStringAsync")]
    public Task<string> A_Unmonitored() => Read(Unmonitored());

    [Benchmark(Description = "request monitoring, body not read (S3)")]
    public Task<string> B_MonitoredNoBody() => Read(MonitoredNoBody());

    [Benchmark(Description = "request monitoring, model + usage read (OpenAI)")]
    public Task<string> C_Monitored() => Read(Monitored());

    private protected override HttpResponseMessage CreateResponse()
    {
        var content = new ByteArrayContent(BodyData.ChatCompletionJson);
        content.Headers.ContentType = BenchData.Json;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private static async Task<string> Read(HttpResponseMessage response)
    {
        using (response)
        {
            return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// An OpenAI streamed chat completion (<c>text/event-stream</c>, 50 <c>chat.completion.chunk</c> events, usage in the
/// last one, then <c>[DONE]</c>), from a non-seekable in-memory stream that hands out one event per read, as a network
/// connection does. The caller reads it to its end with <c>ReadAsync</c> into a reused buffer (the raw read: no
/// parsing); a second pair of variants also parses every event's JSON, as an SDK at least does. Monitoring wraps the
/// body and counts the tokens as the caller reads; the request is recorded when the body ends.
/// </summary>
[MemoryDiagnoser]
public class StreamBodyBenchmarks : BodyReadingBenchmarksBase
{
    private readonly byte[] _buffer = new byte[16 * 1024];

    [Benchmark(Baseline = true, Description = "unmonitored: read to end")]
    public Task<long> A_Unmonitored() => Read(Unmonitored(), parse: false);

    [Benchmark(Description = "request monitoring, body not read (S3)")]
    public Task<long> B_MonitoredNoBody() => Read(MonitoredNoBody(), parse: false);

    [Benchmark(Description = "request monitoring, tokens counted (OpenAI)")]
    public Task<long> C_Monitored() => Read(Monitored(), parse: false);

    [Benchmark(Description = "unmonitored: read to end, every event parsed")]
    public Task<long> D_UnmonitoredParsing() => Read(Unmonitored(), parse: true);

    [Benchmark(Description = "request monitoring, tokens counted, every event parsed")]
    public Task<long> E_MonitoredParsing() => Read(Monitored(), parse: true);

    private protected override HttpResponseMessage CreateResponse()
    {
        var content = new StreamContent(new EventChunkStream(BodyData.ChatCompletionStream, BodyData.ChatCompletionStreamEvents));
        content.Headers.ContentType = BodyData.EventStream;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private async Task<long> Read(HttpResponseMessage response, bool parse)
    {
        using (response)
        {
            var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(_buffer).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (parse)
                {
                    ParseEvents(_buffer.AsSpan(0, read));
                }
            }

            return total;
        }
    }

    /// <summary>Reads every <c>data:</c> payload of whole events with a validating JSON reader (the least an SDK does).</summary>
    private static void ParseEvents(ReadOnlySpan<byte> events)
    {
        while (!events.IsEmpty)
        {
            var end = events.IndexOf((byte)'\n');
            var line = end < 0 ? events : events[..end];
            events = end < 0 ? default : events[(end + 1)..];
            if (line.StartsWith("data: "u8) && line[6] == (byte)'{')
            {
                var reader = new Utf8JsonReader(line[6..]);
                while (reader.Read())
                {
                }
            }
        }
    }
}

/// <summary>The bodies of the body-reading suites.</summary>
internal static class BodyData
{
    public const string RequestModel = "gpt-4o";

    public static readonly MediaTypeHeaderValue EventStream = new("text/event-stream");

    /// <summary>A non-streamed OpenAI chat completion of about 1 KB.</summary>
    public static readonly byte[] ChatCompletionJson = Encoding.UTF8.GetBytes(
        """
        {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"A circuit breaker stops sending requests to a backend that keeps failing, so the backend gets time to recover and callers fail fast instead of waiting on timeouts. After a break it lets a trial request through: if that succeeds the circuit closes again, otherwise it stays open for another break. Retries with exponential backoff and jitter handle short, transient failures; the breaker handles the long ones. Together with a concurrency limit they keep one slow dependency from exhausting the caller's threads and sockets.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1117,"completion_tokens":96,"total_tokens":1213,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf"}
        """);

    /// <summary>An OpenAI streamed chat completion: 50 events (role, 47 words, finish, usage), then <c>[DONE]</c>.</summary>
    public static readonly byte[] ChatCompletionStream;

    /// <summary>Where each event of <see cref="ChatCompletionStream"/> ends: one read returns at most one event.</summary>
    public static readonly int[] ChatCompletionStreamEvents;

    static BodyData()
    {
        const string prefix = """data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_fc9f1d7035","choices":""";
        var events = new List<string> { prefix + """[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""" };
        var words = "A circuit breaker stops sending requests to a backend that keeps failing so the backend gets time to recover and callers fail fast instead of waiting on timeouts after a break it lets a trial request through and closes again when that".Split(' ');
        foreach (var word in Enumerable.Range(0, 47).Select(i => words[i % words.Length]))
        {
            events.Add(prefix + $$"""[{"index":0,"delta":{"content":" {{word}}"},"logprobs":null,"finish_reason":null}],"usage":null}""");
        }

        events.Add(prefix + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""");
        events.Add(prefix + """[],"usage":{"prompt_tokens":19,"completion_tokens":47,"total_tokens":66,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""");
        events.Add("data: [DONE]");

        var stream = new MemoryStream();
        var ends = new List<int>();
        foreach (var e in events)
        {
            stream.Write(Encoding.UTF8.GetBytes(e + "\n\n"));
            ends.Add((int)stream.Length);
        }

        ChatCompletionStream = stream.ToArray();
        ChatCompletionStreamEvents = [.. ends];
    }
}

/// <summary>A read-only, non-seekable stream over bytes in memory that returns at most one event per read.</summary>
internal sealed class EventChunkStream(byte[] data, int[] eventEnds) : Stream
{
    private int _position;
    private int _event;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_event == eventEnds.Length || buffer.IsEmpty)
        {
            return 0;
        }

        var count = Math.Min(buffer.Length, eventEnds[_event] - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        if (_position == eventEnds[_event])
        {
            _event++;
        }

        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
