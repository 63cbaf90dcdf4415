using System.Diagnostics;
using Polly;

namespace Resilience.Metrics;

/// <content>The request's event: its outcome judged, its trace built, and one RequestCompleted sent.</content>
internal sealed partial class RequestMonitoringStrategy<T>
{
    private void GuardedRecord(PendingRequest request, Outcome<T> outcome, ResilienceContext context, bool failed, TokenUsage usage)
    {
        try
        {
            Record(request, outcome, context, failed, usage);
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
    }

    private void Record(in PendingRequest request, Outcome<T> outcome, ResilienceContext context, bool failed, in TokenUsage usage)
    {
        var callerCancelled = outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested;
        Record(request, new RequestEnding(Outcomes.StatusCode(outcome), outcome.Exception, failed, callerCancelled,
            context.Properties.GetValue(ApiMonitoringContext.Attempts, 1), QueueTime(context)), usage, default);
    }

    private void Record(in PendingRequest request, in RequestEnding ending, in TokenUsage usage, in StreamTimes stream)
    {
        var model = request.Model ?? usage.Model;
        var latency = _time.GetElapsedTime(request.Start);
        var (category, errorType) = ending.Failed && _options.ErrorTracking
            ? Outcomes.Classify(ending.StatusCode, ending.Exception, ending.CallerCancelled, latency, _options.HttpClientTimeout)
            : (ErrorCategory.None, null);

        if (usage.Model is { } responseModel && !ReferenceEquals(responseModel, _lastResponseModel))
        {
            Volatile.Write(ref _lastResponseModel, responseModel);
        }

        var completed = new RequestCompleted(_backend)
        {
            Model = model,
            ResponseModel = usage.Model,
            Latency = latency,
            Succeeded = !ending.Failed,
            ErrorCategory = category,
            ErrorType = errorType,
            Attempts = ending.Attempts,
            ClientRetryNumber = request.ClientRetryNumber,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            CachedTokens = usage.CachedTokens,
            CacheWriteTokens = usage.CacheWriteTokens,
            ReasoningTokens = usage.ReasoningTokens,
            TimeToFirstChunk = stream.FirstChunk,
            TimePerOutputChunk = stream.PerChunk,
            Trace = _options.RequestTracing ? Trace(request, ending, model, latency, category, errorType) : null,
        };
        _collector.Record(in completed);

        if (request.Activity is { } activity)
        {
            ApiMonitoringTelemetry.CompleteRequest(activity, model, usage, ending.StatusCode,
                ending.Failed ? errorType ?? ErrorClassifier.GetErrorType(ending.StatusCode, ending.Exception) : null);
        }
    }

    /// <summary>The time the request waited in the queue: read only for a trace, the one thing that reports it (a look-up per request otherwise).</summary>
    private TimeSpan QueueTime(ResilienceContext context) =>
        _options.RequestTracing ? context.Properties.GetValue(ApiMonitoringContext.QueueTime, TimeSpan.Zero) : TimeSpan.Zero;

    private void Thrown(in PendingRequest request, ResilienceContext context, Exception exception)
    {
        GuardedRecord(request, Outcome.FromException<T>(exception), context, failed: true, default);
        End(in request);
    }

    private RequestTrace Trace(in PendingRequest request, in RequestEnding ending, string? model, TimeSpan latency, ErrorCategory category, string? errorType)
    {
        var end = _time.GetUtcNow();
        // An Activity's id is text already; without one, the trace draws a random id and formats it only when read.
        return new RequestTrace((request.Activity ?? Activity.Current)?.TraceId.ToHexString(), _backend.Name)
        {
            Model = model,
            Success = !ending.Failed,
            Latency = latency.TotalMilliseconds,
            Error = ending.Failed ? TextLimits.RedactedError(ending.Exception is { } exception ? TextLimits.MessageOf(exception) : $"HTTP {ending.StatusCode}") : null,
            ErrorType = errorType,
            ErrorCategory = category,
            StartTime = end - latency,
            EndTime = end,
            QueueTime = ending.QueueTime.TotalMilliseconds,
            Attempts = ending.Attempts,
            StatusCode = ending.StatusCode,
            QueueRejected = ending.Exception is QueueRejectedException,
        };
    }
}
