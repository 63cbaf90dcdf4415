using System.Collections.Concurrent;
using System.Diagnostics;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// The library's request spans of one backend, as a tracing back end receives them: they say which API format a
/// request was read as (<c>gen_ai.provider.name</c> is the backend's own name for an API of no known provider).
/// </summary>
internal sealed class Spans : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public Spans(string backend)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ApiMonitoringTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("api.backend") as string == backend)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans ended so far.</summary>
    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    /// <summary>Each ended span's provider and operation, as <c>openai/chat</c>.</summary>
    public IEnumerable<string> ProvidersAndOperations =>
        Stopped.Select(a => $"{a.GetTagItem("gen_ai.provider.name")}/{a.GetTagItem("gen_ai.operation.name")}");

    public void Dispose() => _listener.Dispose();
}
