using System.Net;
using NSubstitute;
using Polly;

namespace Resilience.Metrics.Tests.Strategies;

public class ApiRetryTests
{
    private static readonly BackendKey Backend = new(0, "anthropic");
    private readonly IMetricsCollector _collector = Substitute.For<IMetricsCollector>();

    public ApiRetryTests() => _collector.TimeProvider.Returns(TimeProvider.System);

    private ResiliencePipeline<HttpResponseMessage> Pipeline(int maxRetries = 3) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(Backend, _collector, new RequestMonitoringStrategyOptions())
            .AddApiRetry(Backend, _collector, new ApiRetryStrategyOptions { MaxRetries = maxRetries, InitialRetryDelay = TimeSpan.Zero })
            .Build();

    private static Func<CancellationToken, ValueTask<HttpResponseMessage>> Responses(params HttpStatusCode[] statuses)
    {
        var next = 0;
        return _ => ValueTask.FromResult(new HttpResponseMessage(statuses[Math.Min(next++, statuses.Length - 1)]));
    }

    [Fact]
    public async Task A_rate_limited_attempt_is_retried_and_counted()
    {
        using var response = await Pipeline().ExecuteAsync(Responses(HttpStatusCode.TooManyRequests, HttpStatusCode.OK));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _collector.Received(1).RecordRetry(Arg.Is<RetryAttempted>(e => e.AttemptNumber == 1 && e.ErrorCategory == ErrorCategory.RateLimiting && e.ErrorType == "429"));
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Succeeded && e.Attempts == 2));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Client_errors_are_never_retried(HttpStatusCode status)
    {
        using var response = await Pipeline().ExecuteAsync(Responses(status, HttpStatusCode.OK));

        Assert.Equal(status, response.StatusCode);
        _collector.DidNotReceive().RecordRetry(Arg.Any<RetryAttempted>());
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => !e.Succeeded && e.Attempts == 1));
    }

    [Fact]
    public async Task Retries_stop_at_the_limit_and_the_last_outcome_is_returned()
    {
        using var response = await Pipeline(maxRetries: 2).ExecuteAsync(Responses(HttpStatusCode.BadGateway));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        _collector.Received(2).RecordRetry(Arg.Any<RetryAttempted>());
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => !e.Succeeded && e.Attempts == 3 && e.ErrorType == "502"));
    }

    [Fact]
    public async Task Network_errors_are_retried()
    {
        var attempts = 0;
        var result = await Pipeline().ExecuteAsync(_ => ++attempts == 1
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "reset")
            : ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));

        Assert.Equal(2, attempts);
        _collector.Received(1).RecordRetry(Arg.Is<RetryAttempted>(e => e.ErrorCategory == ErrorCategory.Network));
        result.Dispose();
    }

    [Fact]
    public async Task A_retry_is_counted_under_the_model_the_request_body_names()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4","max_tokens":5}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.SetRequestMessage(request);

        using var response = await Pipeline().ExecuteAsync(
            static (_, next) => next(default), context, Responses(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK));
        ResilienceContextPool.Shared.Return(context);

        _collector.Received(1).RecordRetry(Arg.Is<RetryAttempted>(e => e.Model == "claude-sonnet-4"));
        _collector.Received(1).RecordRequest(Arg.Is<RequestCompleted>(e => e.Model == "claude-sonnet-4" && e.Attempts == 2));
    }

    [Fact]
    public async Task A_retry_is_counted_under_the_model_set_on_the_context()
    {
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.Properties.Set(ApiMonitoringContext.Model, "claude-haiku");

        using var response = await Pipeline().ExecuteAsync(
            static (_, next) => next(default), context, Responses(HttpStatusCode.TooManyRequests, HttpStatusCode.OK));
        ResilienceContextPool.Shared.Return(context);

        _collector.Received(1).RecordRetry(Arg.Is<RetryAttempted>(e => e.Model == "claude-haiku"));
    }

    [Fact]
    public void Delays_grow_by_the_backoff_factor_up_to_the_cap()
    {
        var options = new ApiRetryStrategyOptions { InitialRetryDelay = TimeSpan.FromSeconds(1), BackoffFactor = 3, MaxRetryDelay = TimeSpan.FromSeconds(20), UseJitter = false };

        Assert.Equal(TimeSpan.FromSeconds(1), ApiRetry.Delay(options, 0, null));
        Assert.Equal(TimeSpan.FromSeconds(3), ApiRetry.Delay(options, 1, null));
        Assert.Equal(TimeSpan.FromSeconds(9), ApiRetry.Delay(options, 2, null));
        Assert.Equal(TimeSpan.FromSeconds(20), ApiRetry.Delay(options, 3, null));
        Assert.Equal(TimeSpan.FromSeconds(20), ApiRetry.Delay(options, 60, null));
    }

    [Fact]
    public void Jitter_spreads_delays_by_at_most_twenty_percent()
    {
        var options = new ApiRetryStrategyOptions { InitialRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromMinutes(1) };
        var delays = Enumerable.Range(0, 200).Select(_ => ApiRetry.Delay(options, 0, null).TotalSeconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, 8, 12));
        Assert.True(delays.Distinct().Count() > 10);
    }

    [Fact]
    public void Retry_after_is_honoured_up_to_the_cap()
    {
        var options = new ApiRetryStrategyOptions { MaxRetryDelay = TimeSpan.FromSeconds(30) };

        Assert.Equal(TimeSpan.FromSeconds(7), ApiRetry.Delay(options, 4, TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(30), ApiRetry.Delay(options, 0, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Retry_after_is_read_from_429_and_503_responses_only()
    {
        using var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        using var failed = new HttpResponseMessage(HttpStatusCode.InternalServerError);
        failed.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), Outcomes.RetryAfter(Outcome.FromResult(limited), TimeProvider.System));
        Assert.Null(Outcomes.RetryAfter(Outcome.FromResult(failed), TimeProvider.System));
    }

    [Fact]
    public void Retry_after_ms_wins_over_retry_after_and_an_http_date_counts_from_now()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var openAI = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        openAI.Headers.TryAddWithoutValidation("retry-after-ms", "1500");
        openAI.Headers.TryAddWithoutValidation("Retry-After", "2");
        using var dated = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        dated.Headers.TryAddWithoutValidation("Retry-After", "Sat, 05 Dec 2026 12:00:07 GMT");
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.TryAddWithoutValidation("Retry-After", "Sat, 05 Dec 2026 11:00:00 GMT");
        using var malformed = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        malformed.Headers.TryAddWithoutValidation("Retry-After", "soon");

        Assert.Equal(TimeSpan.FromMilliseconds(1500), Outcomes.RetryAfter(Outcome.FromResult(openAI), time));
        Assert.Equal(TimeSpan.FromSeconds(7), Outcomes.RetryAfter(Outcome.FromResult(dated), time));
        Assert.Equal(TimeSpan.Zero, Outcomes.RetryAfter(Outcome.FromResult(past), time));
        Assert.Null(Outcomes.RetryAfter(Outcome.FromResult(malformed), time));
    }
}
