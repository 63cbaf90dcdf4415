using NSubstitute;
using Polly;

namespace Resilience.Metrics.Tests.Strategies;

public class ApiQueueStrategyTests
{
    private static readonly BackendKey Backend = new(0, "openai");
    private readonly IMetricsCollector _collector = Substitute.For<IMetricsCollector>();
    private readonly AdmissionCounter _admissions = new();
    private IQueueState? _queue;

    public ApiQueueStrategyTests()
    {
        _collector.TimeProvider.Returns(TimeProvider.System);
        _collector.ObserveQueue(Backend, Arg.Any<IQueueState>()).Returns(call =>
        {
            _queue = call.Arg<IQueueState>();
            return _admissions;
        });
    }

    private IQueueState Queue => _queue ?? throw new InvalidOperationException("The queue was not observed.");

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
        Assert.Equal(1, _admissions.Count);
        _collector.Received(1).ObserveQueue(Backend, Arg.Any<IQueueState>());
        _collector.DidNotReceiveWithAnyArgs().RecordQueue(default);
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

        await WaitUntil(() => _collector.ReceivedCalls().Count(c => c.GetArguments() is [QueueEvent { Kind: QueueEventKind.Enqueued }]) == 5);
        Assert.Equal(5, Queue.CurrentQueueSize);
        Assert.Equal(1, Queue.ActiveRequests);
        gate.SetResult("holder");
        await Task.WhenAll(waiters.Append(holder));

        Assert.Equal(["high-1", "high-2", "normal-1", "normal-2", "low-1"], order);
        Assert.Equal(0, Queue.CurrentQueueSize);
        Assert.Equal(0, Queue.ActiveRequests);
        Assert.Equal(6, _admissions.Count);
        _collector.Received(1).RecordQueue(Arg.Is<QueueEvent>(e => e.Kind == QueueEventKind.Enqueued && e.QueueLength == 4));
        _collector.Received(5).RecordQueue(Arg.Is<QueueEvent>(e => e.Kind == QueueEventKind.Started && e.WaitTime > TimeSpan.Zero));
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_a_clear_exception()
    {
        var pipeline = Pipeline(1, 1);
        var gate = new TaskCompletionSource<string>();
        var holder = Run(pipeline, () => gate.Task).AsTask();
        var waiter = Run(pipeline, () => Task.FromResult("waited")).AsTask();
        await WaitUntil(() => _collector.ReceivedCalls().Any(c => c.GetArguments() is [QueueEvent { Kind: QueueEventKind.Enqueued }]));

        var rejection = await Assert.ThrowsAsync<QueueRejectedException>(async () => await Run(pipeline, () => Task.FromResult("rejected")));

        Assert.Contains("openai", rejection.Message);
        Assert.Contains("full", rejection.Message);
        _collector.Received(1).RecordQueue(new QueueEvent(Backend, QueueEventKind.Rejected, 1));
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
        await WaitUntil(() => _collector.ReceivedCalls().Any(c => c.GetArguments() is [QueueEvent { Kind: QueueEventKind.Enqueued }]));

        Assert.Equal(1, Queue.CurrentQueueSize);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.Equal(0, Queue.CurrentQueueSize);
        gate.SetResult("done");
        await holder;
        Assert.False(ran);
        Assert.Equal(1, _admissions.Count);
        _collector.DidNotReceive().RecordQueue(Arg.Is<QueueEvent>(e => e.Kind == QueueEventKind.Started));
        Assert.Equal("after", await Run(pipeline, () => Task.FromResult("after")));
        Assert.Equal(2, _admissions.Count);
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
        Assert.Equal(200, _admissions.Count);
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
}
