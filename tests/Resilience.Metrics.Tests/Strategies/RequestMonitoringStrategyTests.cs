using System.Net;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Polly;

namespace Resilience.Metrics.Tests.Strategies;

public class RequestMonitoringStrategyTests
{
    private static readonly BackendKey Backend = new(0, "openai");
    private readonly FakeTimeProvider _time = new();
    private readonly IMetricsCollector _collector = Substitute.For<IMetricsCollector>();

    public RequestMonitoringStrategyTests() => _collector.TimeProvider.Returns(_time);

    private ResiliencePipeline<T> Pipeline<T>(bool tracing = false, bool errorTracking = true) =>
        new ResiliencePipelineBuilder<T>()
            .AddApiRequestMonitoring(Backend, _collector, new RequestMonitoringStrategyOptions { RequestTracing = tracing, ErrorTracking = errorTracking })
            .Build();

    [Fact]
    public async Task A_success_sends_one_event_with_its_end_to_end_latency()
    {
        var result = await Pipeline<string>().ExecuteAsync(_ =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            return ValueTask.FromResult("ok");
        });

        Assert.Equal("ok", result);
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e =>
            e.Backend == Backend && e.Succeeded && e.Latency == TimeSpan.FromMilliseconds(250) && e.Attempts == 1
            && e.ErrorCategory == ErrorCategory.None && e.Trace == null));
    }

    [Fact]
    public async Task An_exception_is_a_classified_failure_and_still_reaches_the_caller()
    {
        var error = new HttpRequestException(HttpRequestError.ConnectionError, "refused");

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(async () => await Pipeline<string>().ExecuteAsync<string>(_ => throw error));

        Assert.Same(error, thrown);
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e =>
            !e.Succeeded && e.ErrorCategory == ErrorCategory.Network && e.ErrorType == "HttpRequestException"));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, ErrorCategory.RateLimiting, "429")]
    [InlineData(HttpStatusCode.Unauthorized, ErrorCategory.Authentication, "401")]
    [InlineData(HttpStatusCode.BadRequest, ErrorCategory.InvalidRequest, "400")]
    [InlineData(HttpStatusCode.ServiceUnavailable, ErrorCategory.ServiceUnavailable, "503")]
    [InlineData(HttpStatusCode.GatewayTimeout, ErrorCategory.Timeout, "504")]
    public async Task An_error_status_is_a_failure_of_its_category(HttpStatusCode status, ErrorCategory category, string type)
    {
        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(status)));

        Assert.Equal(status, response.StatusCode);
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => !e.Succeeded && e.ErrorCategory == category && e.ErrorType == type));
    }

    [Fact]
    public async Task Without_error_tracking_failures_are_counted_but_not_classified()
    {
        using var response = await Pipeline<HttpResponseMessage>(errorTracking: false).ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)));

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => !e.Succeeded && e.ErrorCategory == ErrorCategory.None && e.ErrorType == null));
    }

    [Fact]
    public async Task The_model_comes_from_the_context()
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ApiMonitoringContext.Model, "gpt-4o");
        await Pipeline<string>().ExecuteAsync(_ => ValueTask.FromResult("ok"), context);
        ResilienceContextPool.Shared.Return(context);

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Model == "gpt-4o"));
    }

    [Fact]
    public async Task Tracing_keeps_a_trace_with_a_redacted_error()
    {
        _time.SetUtcNow(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        RequestCompleted? sent = null;
        _collector.When(c => c.RecordRequest(Arg.Any<RequestCompleted>())).Do(call => sent = call.Arg<RequestCompleted>());

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Pipeline<string>(tracing: true).ExecuteAsync<string>(_ =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(40));
            throw new InvalidOperationException("upstream said: invalid api_key=sk-live-1234567890abcdef for Bearer abc.def.ghi");
        }));

        var trace = Assert.IsType<RequestTrace>(sent?.Trace);
        Assert.Equal(32, trace.TraceId.Length);
        Assert.Equal("openai", trace.Backend);
        Assert.False(trace.Success);
        Assert.Equal(40, trace.Latency);
        Assert.Equal(trace.StartTime.AddMilliseconds(40), trace.EndTime);
        Assert.Equal("InvalidOperationException", trace.ErrorType);
        Assert.DoesNotContain("sk-live", trace.Error);
        Assert.DoesNotContain("abc.def.ghi", trace.Error);
        Assert.Contains("[REDACTED]", trace.Error);
    }

    [Fact]
    public async Task A_fault_inside_monitoring_is_counted_and_the_request_goes_on()
    {
        _collector.When(c => c.RecordRequest(Arg.Any<RequestCompleted>())).Throw(new InvalidOperationException("collector broke"));

        var result = await Pipeline<string>().ExecuteAsync(_ => ValueTask.FromResult("real result"));

        Assert.Equal("real result", result);
        _collector.Received(1).RecordMonitoringError(Backend);
    }

    [Fact]
    public async Task A_request_that_completes_asynchronously_is_recorded_once_with_its_latency()
    {
        var result = await Pipeline<string>().ExecuteAsync(async _ =>
        {
            await Task.Yield();
            _time.Advance(TimeSpan.FromMilliseconds(75));
            return "late";
        });

        Assert.Equal("late", result);
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Succeeded && e.Latency == TimeSpan.FromMilliseconds(75)));
    }

    [Fact]
    public async Task A_response_whose_body_must_be_loaded_first_is_recorded_with_its_tokens()
    {
        // StreamContent of known length is not in memory: the usage is read after loading it (asynchronous path).
        var body = new MemoryStream("""{"model":"gpt-4o","usage":{"prompt_tokens":7,"completion_tokens":2}}"""u8.ToArray());
        var content = new StreamContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = body.Length;

        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(_ =>
            ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }));

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e =>
            e.Succeeded && e.PromptTokens == 7 && e.CompletionTokens == 2 && e.Model == "gpt-4o"));
    }

    [Fact]
    public async Task A_response_is_read_in_the_format_of_the_url_its_request_was_sent_to()
    {
        // Ollama's own counts win over its OpenAI-style usage; read as Generic (no URL to detect from) they would not.
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost:11434/api/generate")
        {
            Content = new StringContent("""{"model":"llama3.2","prompt":"hi"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var content = new StringContent(
            """{"model":"llama3.2","prompt_eval_count":5,"eval_count":7,"usage":{"prompt_tokens":1,"completion_tokens":2}}""",
            System.Text.Encoding.UTF8,
            "application/json");
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.SetRequestMessage(request);

        // The response carries no request message, as a custom handler's or a test double's may not.
        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(
            _ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }), context);
        ResilienceContextPool.Shared.Return(context);

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e =>
            e.Model == "llama3.2" && e.PromptTokens == 5 && e.CompletionTokens == 7));
    }

    [Fact]
    public void A_buffered_responses_model_equal_to_the_last_one_is_not_copied_again()
    {
        // The response's model (a dated snapshot) is kept beside the request's; a steady one costs no string per response.
        var pipeline = Pipeline<HttpResponseMessage>();
        long AllocatedFor(int modelLength)
        {
            var body = System.Text.Encoding.UTF8.GetBytes(
                $$$"""{"model":"{{{new string('m', modelLength)}}}","usage":{"prompt_tokens":3,"completion_tokens":4}}""");
            var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
            context.Properties.Set(ApiMonitoringContext.Model, "gpt-4o");
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            long before = GC.GetAllocatedBytesForCurrentThread();
            pipeline.Execute(static (_, r) => r, context, response);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            ResilienceContextPool.Shared.Return(context);
            response.Dispose();
            return allocated;
        }

        AllocatedFor(8);
        var small = AllocatedFor(8);
        AllocatedFor(200);
        AllocatedFor(200); // a long name is compared through a pooled buffer: warm the pool
        var large = AllocatedFor(200);

        // A 200-character string alone would be 422 bytes.
        Assert.InRange(large - small, -100, 100);
        _collector.Received().RecordRequest(Arg.Is<RequestCompleted>(e =>
            e.Model == "gpt-4o" && e.ResponseModel == new string('m', 200) && e.PromptTokens == 3 && e.CompletionTokens == 4));
    }

    [Fact]
    public async Task A_streamed_request_is_recorded_when_its_stream_ends_under_the_model_it_named()
    {
        // The request names "gpt-4o-mini"; the stream names the dated model: one request, with the stream's tokens.
        var stream = "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[]}\n\n"
            + "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12}}\n\n"
            + "data: [DONE]\n\n";
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stream)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ApiMonitoringContext.Model, "gpt-4o-mini");

        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(_ =>
            ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }), context);
        ResilienceContextPool.Shared.Return(context);
        _collector.DidNotReceive().RecordRequest(Arg.Any<RequestCompleted>());

        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Model == "gpt-4o-mini" && e.Succeeded
            && e.ResponseModel == "gpt-4o-mini-2024-07-18" && e.PromptTokens == 9 && e.CompletionTokens == 12
            && e.TimeToFirstChunk != null && e.TimePerOutputChunk != null));
    }

    [Fact]
    public async Task A_stream_that_fails_in_its_middle_is_a_failed_request()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("data: {\"model\":\"m\",\"choices\":[]}\n\n");
        var content = new StreamContent(new FailingAfterStream(body, new IOException("The response ended prematurely.")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");

        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(_ =>
            ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }));
        var read = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            var buffer = new byte[16];
            while (await read.ReadAsync(buffer, TestContext.Current.CancellationToken) > 0)
            {
            }
        });

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => !e.Succeeded && e.Model == "m" && e.ErrorCategory != ErrorCategory.None));
    }

    [Fact]
    public async Task A_stream_nobody_ends_is_recorded_when_it_is_reclaimed()
    {
        await SendUnreadStream(Pipeline<HttpResponseMessage>());
        _collector.DidNotReceive().RecordRequest(Arg.Any<RequestCompleted>());

        GC.Collect();
        GC.WaitForPendingFinalizers();

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Succeeded));

        // A separate method, so no local of this frame keeps the response alive.
        static async Task SendUnreadStream(ResiliencePipeline<HttpResponseMessage> pipeline)
        {
            var content = new StreamContent(new MemoryStream("data: {}\n\n"u8.ToArray()));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
            await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }));
        }
    }

    [Fact]
    public void An_inner_strategy_that_throws_still_counts_the_request_as_failed()
    {
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddApiRequestMonitoring(Backend, _collector, new RequestMonitoringStrategyOptions())
            .AddStrategy(_ => new ThrowingStrategy(), new ThrowingOptions())
            .Build();

        Assert.Throws<InvalidOperationException>(() => pipeline.Execute(_ => "never"));

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => !e.Succeeded && e.ErrorType == "InvalidOperationException"));
    }

    [Fact]
    public async Task A_model_named_on_the_request_still_reads_the_sdks_retry_number()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages");
        request.SetApiModel("claude-sonnet-4-5");
        request.Headers.TryAddWithoutValidation("x-stainless-retry-count", "1");
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.SetRequestMessage(request);

        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK)), context);
        ResilienceContextPool.Shared.Return(context);

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Model == "claude-sonnet-4-5" && e.ClientRetryNumber == 1));
    }

    [Fact]
    public async Task Json_of_unknown_length_has_no_time_to_first_chunk()
    {
        var content = new StreamContent(new MemoryStream("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1}}"u8.ToArray()));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = null;

        using var response = await Pipeline<HttpResponseMessage>().ExecuteAsync(_ =>
            ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content }));
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Succeeded && e.PromptTokens == 1 && e.TimeToFirstChunk == null));
    }

    private sealed class ThrowingOptions : ResilienceStrategyOptions;

    private sealed class ThrowingStrategy : ResilienceStrategy
    {
        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state) =>
            throw new InvalidOperationException("a strategy bug");
    }

    /// <summary>Returns its bytes, then throws on the next read: a connection reset in the middle of a body.</summary>
    private sealed class FailingAfterStream(byte[] bytes, Exception failure) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? base.ReadAsync(buffer, cancellationToken) : throw failure;

        public override int Read(byte[] buffer, int offset, int count) =>
            Position < Length ? base.Read(buffer, offset, count) : throw failure;
    }

    [Fact]
    public async Task A_trace_without_an_activity_gets_a_random_w3c_trace_id()
    {
        RequestTrace? first = null;
        RequestTrace? second = null;
        _collector.When(c => c.RecordRequest(Arg.Any<RequestCompleted>())).Do(call =>
        {
            var trace = call.Arg<RequestCompleted>().Trace;
            if (first is null)
            {
                first = trace;
            }
            else
            {
                second = trace;
            }
        });
        var pipeline = Pipeline<string>(tracing: true);

        await pipeline.ExecuteAsync(_ => ValueTask.FromResult("a"));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult("b"));

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Matches("^[0-9a-f]{32}$", first.TraceId);
        Assert.NotEqual(new string('0', 32), first.TraceId);
        Assert.Same(first.TraceId, first.TraceId);
        Assert.NotEqual(first.TraceId, second.TraceId);
    }
}
