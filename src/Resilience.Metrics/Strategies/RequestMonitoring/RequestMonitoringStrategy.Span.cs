using System.Diagnostics;
using Polly;

namespace Resilience.Metrics;

/// <content>The request's span, started before anything else, and its end, which also gives its queue slot back.</content>
internal sealed partial class RequestMonitoringStrategy<T>
{
    /// <summary>The request is over for the queue and the span: its slot goes back, its span ends.</summary>
    private void End(in PendingRequest request)
    {
        if (request.HoldsSlot)
        {
            _queue!.Release();
        }

        if (request.Activity is { } activity)
        {
            try
            {
                activity.Dispose();
            }
            catch (Exception exception)
            {
                // An ActivityListener's callbacks run inside Dispose: one that throws must not fail the request.
                _collector.Fault(_backend, exception);
            }
        }
    }

    // An ActivityListener's callbacks run inside StartActivity too.
    private Activity? StartActivity(ResilienceContext context)
    {
        try
        {
            var activity = ApiMonitoringTelemetry.StartRequest(_backend.Name);
            if (activity is not null)
            {
                // Where the retry and the queue find it for their events.
                context.Properties.Set(ApiMonitoringContext.RequestActivity, activity);
            }

            return activity;
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
            return null;
        }
    }
}
