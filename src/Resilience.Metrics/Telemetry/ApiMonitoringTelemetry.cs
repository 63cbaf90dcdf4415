using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resilience.Metrics;

/// <summary>
/// The library's ActivitySource: one span per monitored request, joined to the caller's trace. For an LLM API the
/// span follows the OpenTelemetry GenAI client-span conventions (name <c>{gen_ai.operation.name} {gen_ai.request.model}</c>,
/// kind Client, the <c>gen_ai.*</c>, <c>server.*</c> and <c>error.type</c> attributes), so tracing back ends that know
/// them (Jaeger, Grafana Tempo, Azure Monitor, Langfuse-style tools) show it as a model call. It never carries a prompt,
/// a completion or any other body content: only names, counts, times and the outcome.
/// </summary>
public static class ApiMonitoringTelemetry
{
    /// <summary>The name of the library's Meter and ActivitySource.</summary>
    public const string Name = "Resilience.Metrics";

    /// <summary>The span's name until the request's API is known, and for APIs that are no GenAI API (S3).</summary>
    internal const string RequestSpanName = "api.request";

    /// <summary>
    /// Publishes what <paramref name="collector"/> records on the <c>Resilience.Metrics</c> meter (created by
    /// <paramref name="meterFactory"/> when given), until the collector is disposed. <c>services.AddApiMonitoring()</c>
    /// does this for its collector; call it for a collector made by hand. A second call for one collector does nothing.
    /// </summary>
    /// <param name="collector">The collector whose events to publish.</param>
    /// <param name="meterFactory">The factory to create the meter with, or null for a meter of the library's own.</param>
    public static void Publish(MetricsCollector collector, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(collector);

        // Under a lock, so a race never creates a second set of instruments (observable ones on a factory's shared
        // meter would report twice). Called when a pipeline is built, never per request.
        lock (PublishLock)
        {
            if (!collector.IsObserved && !collector.IsDisposed)
            {
                var metrics = new ApiMonitoringMetrics(collector, meterFactory);
                if (!collector.TryObserve(metrics))
                {
                    metrics.Dispose();
                }
                else if (collector.IsDisposed)
                {
                    // Disposed meanwhile (Dispose does not take this lock): it may have missed the observer.
                    collector.Detach()?.Dispose();
                }
            }
        }
    }

    private static readonly Lock PublishLock = new();

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(ApiMonitoringTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a request span, or returns null (allocating nothing) when nobody listens.</summary>
    internal static Activity? StartRequest(string backend)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity(RequestSpanName, ActivityKind.Client);
        activity?.SetTag("api.backend", backend);
        return activity;
    }

    /// <summary>
    /// Names the span once the request's API and model are known: <c>chat gpt-4o</c>, with the GenAI operation and
    /// provider and the server it goes to. A span of an API that is no GenAI API keeps its name and gets the server only.
    /// </summary>
    /// <param name="activity">The request's span.</param>
    /// <param name="format">The request's API format.</param>
    /// <param name="model">The model the request names, if known yet.</param>
    /// <param name="uri">The request URL.</param>
    /// <param name="providerFallback">The provider name of an API of no known provider (the backend's name).</param>
    internal static void DescribeRequest(Activity activity, ApiFormat format, string? model, Uri? uri, string? providerFallback)
    {
        if (uri is { IsAbsoluteUri: true })
        {
            activity.SetTag("server.address", uri.Host);
            activity.SetTag("server.port", uri.Port);
        }

        // An API that is no GenAI API (S3), or an unknown one whose request names no model, keeps the plain name.
        var descriptor = ApiFormats.Get(format);
        if (!descriptor.ReadsResponses || (format == ApiFormat.Generic && model is null))
        {
            return;
        }

        var operation = uri is { IsAbsoluteUri: true } ? descriptor.OperationOf(uri.AbsolutePath) : descriptor.OperationName;
        activity.SetTag("gen_ai.operation.name", operation);
        activity.SetTag("gen_ai.provider.name", descriptor.ProviderName ?? providerFallback);
        NameAfterModel(activity, operation, model);
    }

    /// <summary>Ends the request's description: its model (if learned from the response), outcome, usage and status.</summary>
    internal static void CompleteRequest(Activity activity, string? model, in TokenUsage usage, int? statusCode, string? errorType)
    {
        if (model is not null && activity.GetTagItem("gen_ai.operation.name") is string operation)
        {
            NameAfterModel(activity, operation, model);
        }

        if (usage.Model is not null)
        {
            activity.SetTag("gen_ai.response.model", usage.Model);
        }

        if (usage.PromptTokens > 0 || usage.CompletionTokens > 0)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
        }

        if (statusCode is { } status)
        {
            activity.SetTag("http.response.status_code", status);
        }

        if (errorType is not null)
        {
            activity.SetTag("error.type", errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>A retry of the request: an event with the failed attempt's number, error and the delay before the next.</summary>
    internal static void RetryScheduled(Activity? activity, int attemptNumber, TimeSpan delay, string? errorType)
    {
        activity?.AddEvent(new ActivityEvent("api.retry", tags: new ActivityTagsCollection
        {
            ["api.retry.attempt"] = attemptNumber,
            ["api.retry.delay_ms"] = delay.TotalMilliseconds,
            ["error.type"] = errorType,
        }));
    }

    /// <summary>The request waited in the queue: an event and an attribute with the wait and the queue it found.</summary>
    internal static void QueueWaited(Activity? activity, TimeSpan waited, int queueLength)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("api.queue.wait_ms", waited.TotalMilliseconds);
        activity.AddEvent(new ActivityEvent("api.queue.admitted", tags: new ActivityTagsCollection
        {
            ["api.queue.wait_ms"] = waited.TotalMilliseconds,
            ["api.queue.length"] = queueLength,
        }));
    }

    private static void NameAfterModel(Activity activity, string operation, string? model)
    {
        activity.DisplayName = model is null ? operation : operation + " " + model;
        if (model is not null)
        {
            activity.SetTag("gen_ai.request.model", model);
        }
    }
}
