using Polly;

namespace Resilience.Metrics.Tests.Strategies;

public sealed class ApiQueueStrategyTests : IDisposable
{
    private readonly MetricsCollector _collector = new();
    private readonly QueueEvents _events = new();
    private readonly BackendKey Backend;

    public ApiQueueStrategyTests()
    {
        // A real collector: the queue's events reach it alone, and an observer sees each one as it is counted.
        Assert.True(_collector.TryObserve(_events));
        Backend = _collector.RegisterBackend("openai");
    }

    public void Dispose() => _collector.Dispose();   // disposes its observer too

    private (int CurrentQueueSize, int ActiveRequests) Queue => _collector.Get(Backend).Queues.Read();

    private AdmissionCounter Admissions => _collector.Get(Backend).Admissions;

    private ResiliencePipeline Pipeline(int concurrency, int queueSize) =>
        new ResiliencePipelineBuilder()
            .AddApiQueue(Backend, _collector, new ApiQueueStrategyOptions { MaxConcurrentRequests = concurrency, QueueSize = queueSize })
            .Build();

    private static ValueTask<string> Run(ResiliencePipeline pipeline, Func<Task<string>> work, RequestPriority priority = RequestPriority.Normal, CancellationToken token = default)
    {
        var context = ResilienceContextPool.Shared.Get(token);
        context.Properties.Set(ApiMonitoringContext.Priority, priority);
        return Execute();

        async ValueTask<string> Execute()
        {
            try
            {
                return await pipeline.ExecuteAsync(async _ => await work(), context);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    [Fact]
    public async Task An_uncontended_request_starts_and_finishes_without_queueing()
    {
        var pipeline = Pipeline(2, 10);
        var gate = new TaskCompletionSource<string>();
        var running = Run(pipeline, () => gate.Task).AsTask();

        Assert.Equal(1, Queue.ActiveRequests);
        gate.SetResult("ok");

        Assert.Equal("ok", await running);
        Assert.Equal(0, Queue.ActiveRequests);
        Assert.Equal(0, Queue.CurrentQueueSize);
        Assert.Equal(1, Admissions.Count);
        Assert.Empty(_events.All);
    }

    [Fact]
    public async Task Waiting_requests_are_admitted_by_priority_then_in_arrival_order()
    {
        var pipeline = Pipeline(1, 10);
        var gate = new TaskCompletionSource<string>();
        var order = new List<string>();
        var holder = Run(pipeline, () => gate.Task).AsTask();

        var waiters = new List<Task<string>>();
        foreach (var (name, priority) in new[] { ("low-1", RequestPriority.Low), ("normal-1", RequestPriority.Normal), ("high-1", RequestPriority.High), ("normal-2", RequestPriority.Normal), ("high-2", RequestPriority.High) })
        {
            waiters.Add(Run(pipeline, () => { lock (order) { order.Add(name); } return Task.FromResult(name); }, priority).AsTask());
        }

        await WaitUntil(() => _events.Count(e => e.Kind == QueueEventKind.Enqueued) == 5);
        Assert.Equal(5, Queue.CurrentQueueSize);
        Assert.Equal(1, Queue.ActiveRequests);
        gate.SetResult("holder");
        await Task.WhenAll(waiters.Append(holder));

        Assert.Equal(["high-1", "high-2", "normal-1", "normal-2", "low-1"], order);
        Assert.Equal(0, Queue.CurrentQueueSize);
        Assert.Equal(0, Queue.ActiveRequests);
        Assert.Equal(6, Admissions.Count);
        Assert.Equal(1, _events.Count(e => e.Kind == QueueEventKind.Enqueued && e.QueueLength == 4));
        Assert.Equal(5, _events.Count(e => e.Kind == QueueEventKind.Started && e.WaitTime > TimeSpan.Zero));
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_a_clear_exception()
    {
        var pipeline = Pipeline(1, 1);
        var gate = new TaskCompletionSource<string>();
        var holder = Run(pipeline, () => gate.Task).AsTask();
        var waiter = Run(pipeline, () => Task.FromResult("waited")).AsTask();
        await WaitUntil(() => _events.Count(e => e.Kind == QueueEventKind.Enqueued) > 0);

        var rejection = await Assert.ThrowsAsync<QueueRejectedException>(async () => await Run(pipeline, () => Task.FromResult("rejected")));

        Assert.Contains("openai", rejection.Message);
        Assert.Contains("full", rejection.Message);
        Assert.Equal(1, _events.Count(e => e == new QueueEvent(Backend, QueueEventKind.Rejected, 1)));
        gate.SetResult("done");
        Assert.Equal("waited", await waiter);
        await holder;
    }

    [Fact]
    public async Task A_caller_that_cancels_while_waiting_leaves_the_queue()
    {
        var pipeline = Pipeline(1, 5);
        var gate = new TaskCompletionSource<string>();
        var holder = Run(pipeline, () => gate.Task).AsTask();
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var waiter = Run(pipeline, () => { ran = true; return Task.FromResult("no"); }, token: cancel.Token).AsTask();
        await WaitUntil(() => _events.Count(e => e.Kind == QueueEventKind.Enqueued) > 0);

        Assert.Equal(1, Queue.CurrentQueueSize);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.Equal(0, Queue.CurrentQueueSize);
        gate.SetResult("done");
        await holder;
        Assert.False(ran);
        Assert.Equal(1, Admissions.Count);
        Assert.Equal(0, _events.Count(e => e.Kind == QueueEventKind.Started));
        Assert.Equal("after", await Run(pipeline, () => Task.FromResult("after")));
        Assert.Equal(2, Admissions.Count);
    }

    [Fact]
    public async Task Never_more_than_the_limit_run_at_once()
    {
        var pipeline = Pipeline(3, 1000);
        var running = 0L;
        var peak = 0L;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Run(pipeline, async () =>
        {
            var now = Interlocked.Increment(ref running);
            AtomicExtremes.Max(ref peak, now);
            await Task.Yield();
            Interlocked.Decrement(ref running);
            return "x";
        }, (RequestPriority)(i % 3)).AsTask()));

        Assert.InRange(peak, 1L, 3L);
        Assert.Equal(200, Admissions.Count);
        Assert.Equal(0, Queue.ActiveRequests);
        Assert.Equal(0, Queue.CurrentQueueSize);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>Records the queue events the collector counted.</summary>
    private sealed class QueueEvents : IMetricsObserver
    {
        private readonly List<QueueEvent> _events = [];

        public IReadOnlyList<QueueEvent> All
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public int Count(Func<QueueEvent, bool> match) => All.Count(match);

        public void OnQueue(QueueEvent queueEvent)
        {
            lock (_events)
            {
                _events.Add(queueEvent);
            }
        }

        public void OnRequest(in RequestCompleted request, BackendMetrics backend)
        {
        }

        public void OnClientRetry(in RequestCompleted request, BackendMetrics backend)
        {
        }

        public void OnRetry(RetryAttempted retry)
        {
        }

        public void OnCircuitStateChange(CircuitStateChanged change)
        {
        }

        public void Dispose()
        {
        }
    }
}
