using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Alerts;

/// <summary>A real collector and reporter on a fake clock, with helpers that record what the alert rules read.</summary>
internal sealed class AlertTestBackends : IDisposable
{
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
        for (var i = 0; i < count; i++)
        {
            Collector.RecordQueue(new QueueEvent(backend, QueueEventKind.Enqueued, QueueLength: i));
        }
    }

    public void Dequeue(BackendKey backend, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Collector.RecordQueue(new QueueEvent(backend, QueueEventKind.Dequeued));
        }
    }

    public void Dispose() => Collector.Dispose();
}
