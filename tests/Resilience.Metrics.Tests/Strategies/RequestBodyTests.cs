using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.Tests.Strategies;

/// <summary>
/// Request bodies through a monitored HttpClient: an SDK's own content type is buffered once for its model and stays
/// re-sendable; a body that can be read once only is never retried; object-store traffic is never read as usage.
/// </summary>
public sealed class RequestBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_sdk_content_of_known_length_is_counted_under_its_model_and_retried_with_the_same_bytes()
    {
        var backend = new RecordingHandler(HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        using var services = Monitored(backend, "openai");
        var json = """{"messages":[{"role":"user","content":"hi"}],"model":"gpt-4o-mini"}""";

        using var response = await Client(services, "openai").PostAsync("https://api.openai.com/v1/chat/completions", new SdkContent(json), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([json, json], backend.Bodies);
        var report = services.GetRequiredService<IMetricsReporter>().GetMetricsReport("openai");
        Assert.Equal((1, 1L), (report.Models["gpt-4o-mini"].Requests, report.RetryAttempts));
    }

    [Fact]
    public async Task A_body_that_can_be_read_once_is_not_retried_and_the_caller_gets_the_servers_answer()
    {
        var backend = new RecordingHandler(HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        using var services = Monitored(backend, "s3");
        var content = new StreamContent(new ReadOnceStream(Encoding.UTF8.GetBytes("object bytes")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await Client(services, "s3").PutAsync("http://127.0.0.1:9000/bucket/key", content, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Single(backend.Bodies);
        var report = services.GetRequiredService<IMetricsReporter>().GetMetricsReport("s3");
        Assert.Equal((1L, 0L), (report.TotalRequests, report.RetryAttempts));
        Assert.Equal(["500"], report.Errors.ErrorTypes.Keys);
    }

    [Theory]
    [InlineData(true, false)]   // an AWS-signed request of unknown URL: object storage
    [InlineData(false, true)]   // an S3-compatible store's answer
    [InlineData(false, false)]  // a GET naming no model: no LLM call of a known shape
    public async Task Auto_never_reads_object_storage_or_model_less_calls_of_unknown_apis_as_usage(bool awsSigned, bool amzResponse)
    {
        var backend = new RecordingHandler(HttpStatusCode.OK) { Body = """{"model":"gpt-4o","usage":{"prompt_tokens":500,"completion_tokens":100}}""", AmzHeaders = amzResponse };
        using var services = Monitored(backend, "store");
        using var request = new HttpRequestMessage(awsSigned ? HttpMethod.Put : HttpMethod.Get, "http://127.0.0.1:9000/bucket/usage.json");
        if (awsSigned)
        {
            request.Headers.TryAddWithoutValidation("x-amz-date", "20261205T120000Z");
            request.Content = new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json");
        }

        using var response = await Client(services, "store").SendAsync(request, Ct);
        await response.Content.ReadAsStringAsync(Ct);

        var report = services.GetRequiredService<IMetricsReporter>().GetMetricsReport("store");
        Assert.Equal(1, report.TotalRequests);
        Assert.Empty(report.Models);
        Assert.Equal(new TokenCounts(0, 0), report.TokenCounts);
    }

    [Fact]
    public async Task Auto_reads_an_unknown_api_when_the_request_named_its_model()
    {
        var backend = new RecordingHandler(HttpStatusCode.OK) { Body = """{"model":"llama-3-70b","usage":{"prompt_tokens":5,"completion_tokens":2}}""" };
        using var services = Monitored(backend, "proxy");

        using var response = await Client(services, "proxy").PostAsync(
            "http://127.0.0.1:8000/v1/run", new StringContent("""{"model":"llama-3","prompt":"hi"}""", Encoding.UTF8, "application/json"), Ct);

        var report = services.GetRequiredService<IMetricsReporter>().GetMetricsReport("proxy");
        Assert.Equal(new TokenCounts(5, 2), report.Models["llama-3"].TokenCounts);
        Assert.Equal(["llama-3-70b"], report.Models["llama-3"].ResponseModels);
    }

    private static ServiceProvider Monitored(RecordingHandler backend, string name)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(name)
            .AddApiMonitoring(o =>
            {
                o.Retry.InitialRetryDelay = TimeSpan.FromMilliseconds(1);
                o.Retry.UseJitter = false;
            })
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        return services.BuildServiceProvider();
    }

    private static HttpClient Client(ServiceProvider services, string name) =>
        services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    /// <summary>Answers with the given statuses in turn (the last one repeats) and keeps every request body it read.</summary>
    private sealed class RecordingHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public List<string> Bodies { get; } = [];

        public string Body { get; init; } = "{}";

        public bool AmzHeaders { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content)
            {
                Bodies.Add(await content.ReadAsStringAsync(cancellationToken));
            }

            var status = statuses[Math.Min(_calls++, statuses.Length - 1)];
            var response = new HttpResponseMessage(status) { Content = new StringContent(Body, Encoding.UTF8, "application/json"), RequestMessage = request };
            if (AmzHeaders)
            {
                response.Headers.TryAddWithoutValidation("x-amz-request-id", "4442587FB7D0A2F9");
            }

            return response;
        }
    }

    /// <summary>A JSON body of known length that is no in-memory content type, as the OpenAI SDK's adapter is.</summary>
    private sealed class SdkContent : HttpContent
    {
        private readonly byte[] _bytes;

        public SdkContent(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    /// <summary>A stream that cannot seek: its content can be sent once.</summary>
    private sealed class ReadOnceStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
