using System.Net;
using System.Text;
using Polly;

namespace Resilience.Metrics.Tests.Strategies;

/// <summary>Whether an SDK's own request body is retried never depends on whether the request is monitored.</summary>
public sealed class RequestBufferingTests
{
    // Naming the model (on the request or on the context) must not spare the buffering either: the body is still re-sent.
    public static TheoryData<string> Pipelines => ["monitored", "metrics off", "AddApiRetry alone", "model named on the request", "model named on the context"];

    [Theory]
    [MemberData(nameof(Pipelines))]
    public async Task An_sdk_body_that_can_be_read_once_is_retried_with_the_same_bytes(string pipelineKind)
    {
        using var collector = new MetricsCollector();
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        switch (pipelineKind)
        {
            case "AddApiRetry alone":
                builder.AddApiRetry(collector.RegisterBackend("buffering"), collector, new ApiRetryStrategyOptions { InitialRetryDelay = TimeSpan.Zero, UseJitter = false });
                break;
            default:
                builder.AddApiMonitoring("buffering", collector, o =>
                {
                    o.MetricsEnabled = pipelineKind != "metrics off";
                    o.Retry.InitialRetryDelay = TimeSpan.Zero;
                    o.Retry.UseJitter = false;
                });
                break;
        }

        var pipeline = builder.Build();
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/v1/chat/completions") { Content = new ReadOnceContent("""{"model":"gpt-4o-mini","messages":[]}""") };
        var received = new List<string>();
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.SetRequestMessage(request);
        if (pipelineKind == "model named on the request")
        {
            request.SetApiModel("gpt-4o-mini");
        }
        else if (pipelineKind == "model named on the context")
        {
            context.SetApiModel("gpt-4o-mini");
        }

        try
        {
            using var response = await pipeline.ExecuteAsync(async ctx =>
            {
                received.Add(await request.Content!.ReadAsStringAsync(ctx.CancellationToken));
                return new HttpResponseMessage(received.Count == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
            }, context);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        Assert.Equal(2, received.Count);
        Assert.All(received, body => Assert.Equal("""{"model":"gpt-4o-mini","messages":[]}""", body));
    }

    /// <summary>A model named on the context does not hide an SDK's retry mark: the attempt is a retry of the call, not a request.</summary>
    [Fact]
    public async Task A_model_named_on_the_context_still_reads_the_sdk_s_retry_mark()
    {
        using var collector = new MetricsCollector();
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring("context-named", collector, o => o.Resilience = ApiResilience.None)
            .Build();

        foreach (var retry in new[] { "0", "1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages");
            request.Headers.TryAddWithoutValidation("x-stainless-retry-count", retry);
            var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
            context.SetRequestMessage(request);
            context.SetApiModel("claude-sonnet-4-5");
            try
            {
                using var response = await pipeline.ExecuteAsync(
                    _ => ValueTask.FromResult(new HttpResponseMessage(retry == "0" ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK)), context);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        var report = new MetricsReporter(collector).GetMetricsReport("context-named");
        Assert.Equal((1L, 1L, 0L, 1L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts));
        Assert.Equal(1, report.Models["claude-sonnet-4-5"].Requests);
    }

    /// <summary>An SDK's own content type: JSON of known length, not in memory, and it can be serialized once only.</summary>
    private sealed class ReadOnceContent : HttpContent
    {
        private readonly byte[] _bytes;
        private int _reads;

        public ReadOnceContent(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            Interlocked.Increment(ref _reads) == 1
                ? stream.WriteAsync(_bytes).AsTask()
                : throw new InvalidOperationException("The stream was already consumed.");

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
