using Polly;

namespace Resilience.Metrics;

/// <content>The request's model and format, resolved before it is sent.</content>
internal sealed partial class RequestMonitoringStrategy<T>
{
    /// <summary>
    /// The request's model and the format its response is read with: resolved here from the request's URL (and
    /// headers) when the model is read from the request, so they are looked at once per request; else the configured
    /// format. <paramref name="unbuffered"/> is a body that must be buffered before its model can be read.
    /// </summary>
    private void Resolve(ResilienceContext context, ref PendingRequest request, out HttpContent? unbuffered)
    {
        unbuffered = null;
        request.Format = _usage.Format;

        // A model named on the pipeline's context (the way of pipelines without HTTP, or context.SetApiModel) is taken
        // as it is; an HTTP request is still resolved below (its format, an SDK's retry mark, a body to buffer so a
        // retry can send it again), only its model is not read.
        var named = context.Properties.TryGetValue(ApiMonitoringContext.Model, out var contextModel) ? TextLimits.Cap(contextModel) : null;
        request.Model = named;
        try
        {
            if (context.GetRequestMessage() is not { } message)
            {
                return;
            }

            var format = _usage.ResolveFormat(message);
            request.Format = format;
            request.ClientRetryNumber = ClientRetries.Number(message, format);
            unbuffered = _usage.ContentToBuffer(message, format);
            if (named is not null)
            {
                request.SkipResponse = format == ApiFormat.S3;
            }
            else if (unbuffered is null)
            {
                SetModel(context, ref request, TextLimits.Cap(_usage.GetRequestModel(message, format, modelHint: Volatile.Read(ref _lastRequestModel))));
            }

            if (request.Activity is { } activity)
            {
                ApiMonitoringTelemetry.DescribeRequest(activity, format, request.Model, message.RequestUri, _options.GenAiProviderFallback);
            }
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
    }

    private void ReadBufferedModel(ResilienceContext context, ref PendingRequest request)
    {
        try
        {
            if (request.Model is null && context.GetRequestMessage() is { } message)
            {
                SetModel(context, ref request, TextLimits.Cap(_usage.GetRequestModel(message, request.Format, buffered: true, Volatile.Read(ref _lastRequestModel))));

                // The span was described before the body was read: an API of no known format is a GenAI span only now
                // that its model is known (a known format's span is named after the model when the request ends).
                if (request.Format == ApiFormat.Generic && request.Model is not null && request.Activity is { } activity)
                {
                    ApiMonitoringTelemetry.DescribeRequest(activity, request.Format, request.Model, message.RequestUri, _options.GenAiProviderFallback);
                }
            }
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
    }

    private void SetModel(ResilienceContext context, ref PendingRequest request, string? model)
    {
        if (model is not null && !ReferenceEquals(model, _lastRequestModel))
        {
            Volatile.Write(ref _lastRequestModel, model);
        }

        if (model is not null)
        {
            // Shared with the retry strategy, which counts retries per model, and with the application's own
            // strategies (the key is public).
            context.Properties.Set(ApiMonitoringContext.Model, model);
        }

        // A URL of no known API (Auto found nothing) is read for usage only when the request named a model: an
        // object store's JSON file is not an LLM answer.
        request.Model = model;
        request.SkipResponse = request.Format == ApiFormat.S3
            || (model is null && request.Format == ApiFormat.Generic && _usage.Format == ApiFormat.Auto);
    }
}
