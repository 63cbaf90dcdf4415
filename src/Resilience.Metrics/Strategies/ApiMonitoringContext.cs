using Polly;

namespace Resilience.Metrics;

/// <summary>
/// The keys under which a request's monitoring data travels: on the <see cref="ResilienceContext"/> between the
/// strategies, and on the <see cref="HttpRequestMessage"/> from an HTTP caller. Callers use <see cref="ApiRequestExtensions"/>.
/// </summary>
internal static class ApiMonitoringContext
{
    /// <summary>The model a request is for, counted in per-model figures.</summary>
    public static readonly ResiliencePropertyKey<string> Model = new("Resilience.Metrics.Model");

    /// <summary>The priority a request waits with in the queue (Normal when unset).</summary>
    public static readonly ResiliencePropertyKey<RequestPriority> Priority = new("Resilience.Metrics.Priority");

    /// <summary>Set by the retry strategy: how many attempts the request has made so far.</summary>
    public static readonly ResiliencePropertyKey<int> Attempts = new("Resilience.Metrics.Attempts");

    /// <summary>Set by the queue strategy when the request waited: how long.</summary>
    public static readonly ResiliencePropertyKey<TimeSpan> QueueTime = new("Resilience.Metrics.QueueTime");

    /// <summary>Set by request monitoring when a listener records its span: retries and the queue add their events to it.</summary>
    public static readonly ResiliencePropertyKey<System.Diagnostics.Activity> RequestActivity = new("Resilience.Metrics.RequestActivity");

    /// <summary>Set by request monitoring when it loaded the request's body into its buffer: that body can be sent again.</summary>
    public static readonly ResiliencePropertyKey<HttpContent> BufferedBody = new("Resilience.Metrics.BufferedBody");

    /// <summary>The request option that holds the priority an HTTP caller set.</summary>
    public static readonly HttpRequestOptionsKey<RequestPriority> PriorityOption = new("Resilience.Metrics.Priority");

    /// <summary>The request's priority; Normal when unset or not a defined value (the property and the option can be
    /// set by hand, and the queue indexes its lines by the value).</summary>
    public static RequestPriority GetPriority(ResilienceContext context)
    {
        if (context.Properties.TryGetValue(Priority, out var priority)
            || (context.GetRequestMessage() is { } request && request.Options.TryGetValue(PriorityOption, out priority)))
        {
            return IsDefined(priority) ? priority : RequestPriority.Normal;
        }

        return RequestPriority.Normal;
    }

    public static bool IsDefined(RequestPriority priority) => (uint)priority <= (uint)RequestPriority.Low;
}
