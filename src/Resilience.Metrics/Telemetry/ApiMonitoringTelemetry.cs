using System.Diagnostics;

namespace Resilience.Metrics;

/// <summary>The library's ActivitySource: one span per monitored request, joined to the caller's trace.</summary>
public static class ApiMonitoringTelemetry
{
    /// <summary>The name of the library's Meter and ActivitySource.</summary>
    public const string Name = "Resilience.Metrics";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(ApiMonitoringTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a request span, or returns null (allocating nothing) when nobody listens.</summary>
    internal static Activity? StartRequest(string backend)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity("api.request", ActivityKind.Internal);
        activity?.SetTag("api.backend", backend);
        return activity;
    }

    internal static void CompleteRequest(Activity activity, string? model, string? responseModel, int? statusCode, string? errorType)
    {
        if (model is not null)
        {
            activity.SetTag("gen_ai.request.model", model);
        }

        if (responseModel is not null)
        {
            activity.SetTag("gen_ai.response.model", responseModel);
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
}
