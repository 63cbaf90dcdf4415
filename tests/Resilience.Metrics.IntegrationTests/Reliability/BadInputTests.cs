using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.IntegrationTests.Reliability;

[Collection(typeof(MemoryMeasuringTests))]
public class BadInputTests
{
    private const int ModelCap = 100;   // docs/architecture.md: distinct models per backend before 'other'

    private static (HttpClient Client, IMetricsReporter Reporter, ServiceProvider Provider) Monitored(InMemoryBackend backend, ApiFormat format = ApiFormat.OpenAI)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("bad", c => c.BaseAddress = new Uri("https://api.openai.com/"))
            .AddApiMonitoring(o => o.ApiFormat = format)
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IHttpClientFactory>().CreateClient("bad"), provider.GetRequiredService<IMetricsReporter>(), provider);
    }

    public static TheoryData<string, string> Bodies => new()
    {
        { "invalid JSON", """{"usage": {"prompt_tokens": 3,, }""" },
        { "truncated", """{"model":"gpt-4o","usage":{"prompt_tokens":3,"completion_to""" },
        { "nested thousands deep", new string('[', 5000) + new string(']', 5000) },
        { "negative usage", """{"usage":{"prompt_tokens":-5,"completion_tokens":-1}}""" },
        { "fractional usage", """{"usage":{"prompt_tokens":1.5,"completion_tokens":2.25}}""" },
        { "out of range usage", """{"usage":{"prompt_tokens":1e400,"completion_tokens":99999999999999999999999}}""" },
        { "usage as strings", """{"usage":{"prompt_tokens":"12","completion_tokens":"x"}}""" },
        { "empty", "" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_malformed_body_reaches_the_caller_byte_for_byte_and_counts_no_tokens(string kind, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } },
            RequestMessage = request,
        }));
        await using var _ = provider;

        var received = await client.GetByteArrayAsync("v1/chat/completions", TestContext.Current.CancellationToken);

        Assert.Equal(bytes, received);
        var report = reporter.GetMetricsReport("bad");
        Assert.Equal(1, report.Successes);
        Assert.Equal(new TokenCounts(0, 0), report.TokenCounts);
        Assert.True(report.MonitoringErrors == 0, kind);
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_reaches_the_caller_intact()
    {
        byte[] bytes = [0x7B, 0x22, 0xFF, 0xFE, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D];
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } },
        }));
        await using var _ = provider;

        Assert.Equal(bytes, await client.GetByteArrayAsync("v1/chat/completions", TestContext.Current.CancellationToken));
        Assert.Equal(1, reporter.GetMetricsReport("bad").Successes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_fifty_megabyte_body_streams_through_unchanged(bool knownLength)
    {
        var payload = new byte[50 * 1024 * 1024];
        new Random(5).NextBytes(payload);
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) =>
        {
            HttpContent content = knownLength ? new ByteArrayContent(payload) : new StreamContent(new NonSeekableStream(payload));
            content.Headers.ContentType = new("application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        }));
        await using var _ = provider;
        var before = GC.GetTotalMemory(forceFullCollection: true);

        using var response = await client.GetAsync("v1/chat/completions", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var hash = await SHA256.HashDataAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal(SHA256.HashData(payload), hash);
        Assert.Equal(1, reporter.GetMetricsReport("bad").Successes);
        // Observing the body keeps at most the 1 MiB JSON cap, never the body.
        Assert.True(GC.GetTotalMemory(forceFullCollection: false) - before < 40 * 1024 * 1024);
    }

    [Fact]
    public async Task A_gzip_compressed_body_is_passed_on_compressed_and_not_parsed()
    {
        var json = Encoding.UTF8.GetBytes("""{"usage":{"prompt_tokens":3,"completion_tokens":5}}""");
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(json, TestContext.Current.CancellationToken);
        }

        var bytes = compressed.ToArray();
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new("application/json");
            content.Headers.ContentEncoding.Add("gzip");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        }));
        await using var _ = provider;

        Assert.Equal(bytes, await client.GetByteArrayAsync("v1/chat/completions", TestContext.Current.CancellationToken));
        Assert.Equal(new TokenCounts(0, 0), reporter.GetMetricsReport("bad").TokenCounts);
    }

    [Fact]
    public async Task An_event_stream_with_malformed_lines_and_no_final_usage_is_passed_on_intact()
    {
        var stream = "data: {not json\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n: comment\n\ndata: [DONE]\n\n";
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(stream))) { Headers = { ContentType = new("text/event-stream") } },
            RequestMessage = request,
        }));
        await using var _ = provider;

        Assert.Equal(stream, await client.GetStringAsync("v1/chat/completions", TestContext.Current.CancellationToken));
        var report = reporter.GetMetricsReport("bad");
        Assert.Equal(1, report.Successes);
        Assert.Equal(new TokenCounts(0, 0), report.TokenCounts);
    }

    public static TheoryData<string> HostileModelNames =>
    [
        new string('m', 10_000),
        "quote\"model",
        @"back\slash\",
        "new\nline\r\nmodel",
        "ünïcødé-模型-🚀",
        "label\"} 1\nfake_metric{x=\"",
    ];

    [Fact]
    public async Task Hostile_model_names_are_reported_escaped_and_round_trip()
    {
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) => InMemoryBackend.Json(request, "{}")));
        await using var _ = provider;
        foreach (var model in HostileModelNames)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions");
            request.SetApiModel(model);
            (await client.SendAsync(request, TestContext.Current.CancellationToken)).Dispose();
        }

        using var json = JsonDocument.Parse(reporter.GetJsonReport("bad"));
        var models = json.RootElement.GetProperty("models").EnumerateObject().Select(p => p.Name).ToHashSet();
        // Names are kept to their first 256 characters, like every stored name (issue 14).
        Assert.All(HostileModelNames, m => Assert.Contains(m.Data.Length > 256 ? m.Data[..256] : m.Data, models));

        var prometheus = reporter.GetPrometheusMetrics();
        Assert.DoesNotContain("\nfake_metric", prometheus);
        var ascii = reporter.GetAsciiReport("bad");
        Assert.DoesNotContain("\nfake_metric", ascii);

        // Last, so that without promtool everything above was still checked and the test shows as skipped.
        var promtool = ExternalTools.Require("promtool");
        var (exitCode, output) = await ExternalTools.RunAsync(promtool, "check metrics", prometheus);
        Assert.True(exitCode is 0 or 3, output);
        Assert.DoesNotContain("error", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_empty_model_name_is_refused_when_set_and_ignored_when_sent()
    {
        var (client, reporter, provider) = Monitored(new InMemoryBackend((request, _) => InMemoryBackend.Json(request, "{}")));
        await using var _ = provider;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"","messages":[]}""", Encoding.UTF8, "application/json"),
        };

        Assert.Throws<ArgumentException>(() => request.SetApiModel(""));
        (await client.SendAsync(request, TestContext.Current.CancellationToken)).Dispose();

        var report = reporter.GetMetricsReport("bad");
        Assert.Equal(1, report.Successes);
        Assert.Empty(report.Models);
    }

    [Fact]
    public async Task A_hundred_thousand_model_names_are_capped_with_an_other_entry_in_bounded_memory()
    {
        using var collector = new MetricsCollector();
        var reporter = new MetricsReporter(collector);
        var key = collector.RegisterBackend("models");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        for (var i = 0; i < 100_000; i++)
        {
            collector.RecordRequest(new RequestCompleted(key) { Succeeded = true, Model = "model-" + i, Latency = TimeSpan.FromMilliseconds(1) });
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var models = reporter.GetMetricsReport("models").Models;
        Assert.Equal(ModelCap + 1, models.Count);
        Assert.Equal(100_000 - ModelCap, models["other"].Requests);
        Assert.Equal(100_000, models.Values.Sum(m => m.Requests));
        Assert.True(after - before < 4 * 1024 * 1024, $"grew {(after - before) / 1024} KiB");
        await Task.CompletedTask;
    }

    /// <summary>A stream without a length, as a network body is.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
