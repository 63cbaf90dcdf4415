using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Alerts;

/// <summary>A real collector and reporter on a fake clock, with helpers that record what the alert rules read.</summary>
internal sealed class AlertTestBackends : IDisposable
{
    private readonly Dictionary<string, QueueStub> _queues = [];

    public AlertTestBackends()
    {
        Collector = new MetricsCollector(Time);
        Reporter = new MetricsReporter(Collector);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public MetricsCollector Collector { get; }

    public MetricsReporter Reporter { get; }

    public BackendKey Register(string name) => Collector.RegisterBackend(name);

    public void Requests(BackendKey backend, int count, bool succeeded = true, double latencyMs = 100)
    {
        for (var i = 0; i < count; i++)
        {
            Collector.RecordRequest(new RequestCompleted(backend)
            {
                Latency = TimeSpan.FromMilliseconds(latencyMs),
                Succeeded = succeeded,
                ErrorCategory = succeeded ? ErrorCategory.None : ErrorCategory.ServiceUnavailable,
                ErrorType = succeeded ? null : "503",
                Attempts = 1,
            });
        }
    }

    public void Enqueue(BackendKey backend, int count)
    {
        var queue = QueueOf(backend);
        for (var i = 0; i < count; i++)
        {
            Collector.RecordQueue(new QueueEvent(backend, QueueEventKind.Enqueued, QueueLength: queue.CurrentQueueSize++));
        }
    }

    public void Dequeue(BackendKey backend, int count) => QueueOf(backend).CurrentQueueSize -= count;

    private QueueStub QueueOf(BackendKey backend)
    {
        if (!_queues.TryGetValue(backend.Name, out var queue))
        {
            _queues[backend.Name] = queue = new QueueStub();
            Collector.ObserveQueue(backend, queue);
        }

        return queue;
    }

    public void Dispose() => Collector.Dispose();

    /// <summary>A queue whose live counts the test sets.</summary>
    internal sealed class QueueStub : IQueueState
    {
        public int CurrentQueueSize { get; set; }

        public int ActiveRequests { get; set; }
    }
}
