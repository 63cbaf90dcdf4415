using System.Net;
using Polly;

namespace Resilience.Metrics.Tests.Strategies;

/// <summary>The pipeline <c>AddApiMonitoring</c> builds, where request monitoring runs the priority queue itself.</summary>
public sealed class ApiMonitoringPipelineTests : IDisposable
{
    private readonly MetricsCollector _collector = new();
    private readonly MetricsReporter _reporter;

    public ApiMonitoringPipelineTests() => _reporter = new MetricsReporter(_collector);

    public void Dispose() => _collector.Dispose();

    [Fact]
    public async Task The_queue_limits_concurrency_and_a_full_queue_is_a_recorded_rejection()
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring<HttpResponseMessage>("ovms", _collector, o =>
            {
                o.Queue.MaxConcurrentRequests = 1;
                o.Queue.QueueSize = 0;
                o.Retry.Enabled = false;
            })
            .Build();
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        var holder = pipeline.ExecuteAsync(async _ => await release.Task, TestContext.Current.CancellationToken).AsTask();
        Assert.Equal(1, _reporter.GetQueueMetrics("ovms").ActiveRequests);
        await Assert.ThrowsAsync<QueueRejectedException>(async () =>
            await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK)), TestContext.Current.CancellationToken));

        release.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        (await holder).Dispose();

        var queue = _reporter.GetQueueMetrics("ovms");
        Assert.Equal(0, queue.ActiveRequests);
        Assert.Equal(1, queue.QueueRejectionCount);
        var report = _reporter.GetMetricsReport("ovms");
        Assert.Equal(2, report.TotalRequests);
        Assert.Equal(1, report.Errors.ErrorCategories["rate_limiting"]);
    }

    [Fact]
    public async Task A_waiting_request_is_admitted_when_a_slot_frees_and_its_queue_time_is_traced()
    {
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddApiMonitoring<string>("tei", _collector, o =>
            {
                o.Queue.MaxConcurrentRequests = 1;
                o.RequestTracing = true;
            })
            .Build();
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var holder = pipeline.ExecuteAsync(async _ => await release.Task, TestContext.Current.CancellationToken).AsTask();
        var waiter = pipeline.ExecuteAsync(_ => ValueTask.FromResult("second"), TestContext.Current.CancellationToken).AsTask();
        Assert.False(waiter.IsCompleted);
        Assert.Equal(1, _reporter.GetQueueMetrics("tei").CurrentQueueSize);

        release.SetResult("first");
        Assert.Equal("first", await holder);
        Assert.Equal("second", await waiter);

        var queue = _reporter.GetQueueMetrics("tei");
        Assert.Equal(0, queue.ActiveRequests);
        Assert.Equal(0, queue.CurrentQueueSize);
        Assert.Equal(1, queue.MaxQueueLength);
        Assert.Equal(2, _reporter.GetMetricsReport("tei").TotalRequests);
        Assert.Contains(_reporter.GetRecentTraces(10, "tei"), t => t.QueueTime > 0);   // the second request waited
    }

    [Fact]
    public async Task Without_metrics_the_queue_still_limits_concurrency()
    {
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddApiMonitoring<string>("s3", _collector, o =>
            {
                o.MetricsEnabled = false;
                o.Queue.MaxConcurrentRequests = 1;
                o.Queue.QueueSize = 0;
            })
            .Build();
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var holder = pipeline.ExecuteAsync(async _ => await release.Task, TestContext.Current.CancellationToken).AsTask();
        await Assert.ThrowsAsync<QueueRejectedException>(async () =>
            await pipeline.ExecuteAsync(_ => ValueTask.FromResult("rejected"), TestContext.Current.CancellationToken));
        release.SetResult("done");

        Assert.Equal("done", await holder);
    }

}
