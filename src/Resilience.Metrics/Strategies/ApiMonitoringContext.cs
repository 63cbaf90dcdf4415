using Polly;

namespace Resilience.Metrics;

/// <summary>
/// Per-request data the monitoring strategies read from (and share through) a <see cref="ResilienceContext"/>.
/// HTTP callers set the same through <see cref="HttpRequestMessage"/> options: <c>request.SetApiModel(...)</c>,
/// <c>request.SetApiPriority(...)</c>.
/// </summary>
public static class ApiMonitoringContext
{
    /// <summary>The model a request is for, counted in per-model figures.</summary>
    public static readonly ResiliencePropertyKey<string> Model = new("Resilience.Metrics.Model");

    /// <summary>The priority a request waits with in the queue (Normal when unset).</summary>
    public static readonly ResiliencePropertyKey<RequestPriority> Priority = new("Resilience.Metrics.Priority");

    /// <summary>Set by the retry strategy: how many attempts the request has made so far.</summary>
    internal static readonly ResiliencePropertyKey<int> Attempts = new("Resilience.Metrics.Attempts");

    /// <summary>Set by the queue strategy when the request waited: how long.</summary>
    internal static readonly ResiliencePropertyKey<TimeSpan> QueueTime = new("Resilience.Metrics.QueueTime");

    /// <summary>Set by request monitoring when a listener records its span: retries and the queue add their events to it.</summary>
    internal static readonly ResiliencePropertyKey<System.Diagnostics.Activity> RequestActivity = new("Resilience.Metrics.RequestActivity");

    /// <summary>Set by request monitoring when it loaded the request's body into its buffer: that body can be sent again.</summary>
    internal static readonly ResiliencePropertyKey<HttpContent> BufferedBody = new("Resilience.Metrics.BufferedBody");

    private static readonly HttpRequestOptionsKey<RequestPriority> PriorityOption = new("Resilience.Metrics.Priority");

    /// <summary>Sets the priority this request waits with when its backend is at its concurrency limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not a defined <see cref="RequestPriority"/>.</exception>
    public static HttpRequestMessage SetApiPriority(this HttpRequestMessage request, RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsDefined(priority))
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "The request priority must be High, Normal or Low.");
        }

        request.Options.Set(PriorityOption, priority);
        return request;
    }

    /// <summary>The request's priority; Normal when unset or not a defined value (the context property and the request
    /// option can be set without <see cref="SetApiPriority"/>, and the queue indexes its lines by the value).</summary>
    internal static RequestPriority GetPriority(ResilienceContext context)
    {
        if (context.Properties.TryGetValue(Priority, out var priority)
            || (context.GetRequestMessage() is { } request && request.Options.TryGetValue(PriorityOption, out priority)))
        {
            return IsDefined(priority) ? priority : RequestPriority.Normal;
        }

        return RequestPriority.Normal;
    }

    private static bool IsDefined(RequestPriority priority) => (uint)priority <= (uint)RequestPriority.Low;
}
