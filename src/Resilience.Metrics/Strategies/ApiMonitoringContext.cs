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

    private static readonly HttpRequestOptionsKey<RequestPriority> PriorityOption = new("Resilience.Metrics.Priority");

    /// <summary>Sets the priority this request waits with when its backend is at its concurrency limit.</summary>
    public static HttpRequestMessage SetApiPriority(this HttpRequestMessage request, RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(PriorityOption, priority);
        return request;
    }

    /// <summary>
    /// The model a request is for: <see cref="Model"/> when set, else read from its HTTP request by
    /// <paramref name="reader"/>. Nothing is stored back: per request a property write costs more than reading again
    /// on the rare retry that asks.
    /// </summary>
    /// <param name="context">The request's context.</param>
    /// <param name="reader">Reads the model from the request.</param>
    /// <param name="format">The format the request is read with: resolved on the way when an HTTP request was read,
    /// else the reader's configured one (<see cref="ApiFormat.Auto"/> is then detected when needed).</param>
    internal static string? GetModel(ResilienceContext context, HttpUsageExtractor reader, out ApiFormat format)
    {
        format = reader.Format;
        if (context.Properties.TryGetValue(Model, out var model))
        {
            return model;
        }

        if (context.GetRequestMessage() is not { } request)
        {
            return null;
        }

        format = reader.ResolveFormat(request.RequestUri);
        return reader.GetRequestModel(request, format);
    }

    internal static RequestPriority GetPriority(ResilienceContext context)
    {
        if (context.Properties.TryGetValue(Priority, out var priority))
        {
            return priority;
        }

        return context.GetRequestMessage() is { } request && request.Options.TryGetValue(PriorityOption, out priority)
            ? priority
            : RequestPriority.Normal;
    }
}
