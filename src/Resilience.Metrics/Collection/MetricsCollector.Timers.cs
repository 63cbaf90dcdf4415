namespace Resilience.Metrics;

/// <content>The two timers' work, off the request path: throughput samples every second, window slices every 5 s.</content>
public sealed partial class MetricsCollector
{
    private void SampleThroughput()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var backend in Volatile.Read(ref _backends))
        {
            var recorded = backend.Recorded;
            recorded.Throughput.Add(recorded.Sample(now));
        }
    }

    // Closes every backend's current slice: the windows' only work, off the request path.
    private void RotateWindows()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var backend in Volatile.Read(ref _backends))
        {
            var recorded = backend.Recorded;
            try
            {
                recorded.Windows.Rotate(recorded, now);
            }
#pragma warning disable CA1031 // An exception in a timer callback would end the process: count it, as faults inside monitoring are.
            catch (Exception)
#pragma warning restore CA1031
            {
                recorded.Counters.Increment(recorded.Counters.CurrentStripe, RecordedMetrics.MonitoringErrors);
            }
        }
    }
}
