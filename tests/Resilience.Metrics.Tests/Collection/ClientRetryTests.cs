namespace Resilience.Metrics.Tests.Collection;

/// <summary>An SDK's retry (marked on the wire) is a retry attempt of the logical request it repeats, not a request.</summary>
public sealed class ClientRetryTests : IDisposable
{
    private readonly MetricsCollector _collector = new();

    public void Dispose() => _collector.Dispose();

    [Theory]
    [InlineData(true, 1L, 0L)]
    [InlineData(false, 0L, 1L)]
    public void A_retry_that_ends_the_call_decides_its_outcome(bool retrySucceeds, long successes, long failures)
    {
        var backend = _collector.RegisterBackend("anthropic");
        _collector.RecordRequest(new RequestCompleted(backend)
        {
            Model = "claude", Succeeded = false, ErrorCategory = ErrorCategory.RateLimiting, ErrorType = "429", Latency = TimeSpan.FromMilliseconds(10),
        });
        _collector.RecordRequest(new RequestCompleted(backend)
        {
            Model = "claude", Succeeded = retrySucceeds, ClientRetryNumber = 1, Latency = TimeSpan.FromMilliseconds(30), PromptTokens = 7, CompletionTokens = 3,
            CachedTokens = 2, CacheWriteTokens = 4,
            ErrorCategory = retrySucceeds ? ErrorCategory.None : ErrorCategory.RateLimiting, ErrorType = retrySucceeds ? null : "429",
        });

        var report = new MetricsReporter(_collector).GetMetricsReport("anthropic");
        Assert.Equal((1L, successes, failures, 1L, 1L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
        Assert.Equal(retrySucceeds ? 1 : 2, report.Errors.ErrorTypes["429"]);
        Assert.Equal(40, report.Latency.AvgLatency, 3); // one call, its retry's time included
        var model = report.Models["claude"];
        Assert.Equal((1L, successes, failures, 1L), (model.Requests, model.Successes, model.Failures, model.Retries));
        Assert.Equal(new TokenCounts(7, 3) { Cached = 2, CacheWrite = 4 }, model.TokenCounts);
        Assert.Equal(new TokenCounts(7, 3) { Cached = 2, CacheWrite = 4 }, report.TokenCounts);
    }
}
