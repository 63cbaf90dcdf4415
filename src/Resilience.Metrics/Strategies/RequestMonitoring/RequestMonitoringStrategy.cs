using System.Diagnostics;
using Polly;

namespace Resilience.Metrics;

/// <summary>
/// The outermost strategy: measures a request end to end (queue and retries included), judges its final outcome,
/// learns its model and tokens, and sends one <see cref="RequestCompleted"/>. A fault in any of that is caught,
/// logged and counted; the caller always gets the outcome the inner pipeline produced.
/// </summary>
internal sealed class RequestMonitoringStrategy<T> : ResilienceStrategy<T>
{
    private readonly BackendKey _backend;
    private readonly GuardedMetricsCollector _collector;
    private readonly RequestMonitoringStrategyOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpUsageExtractor _usage;
    private readonly ApiQueue? _queue;

    /// <param name="backend">The backend recorded.</param>
    /// <param name="collector">Where the request events go.</param>
    /// <param name="options">What is recorded.</param>
    /// <param name="queue">The priority queue right inside request monitoring, run here rather than as a strategy of its
    /// own (one Polly strategy layer less per request); null when there is none.</param>
    public RequestMonitoringStrategy(BackendKey backend, GuardedMetricsCollector collector, RequestMonitoringStrategyOptions options, ApiQueue? queue = null)
    {
        _queue = queue;
        _backend = backend;
        _collector = collector;
        _options = options;
        _time = collector.TimeProvider;
        _usage = new HttpUsageExtractor(options.ApiFormat);
    }

    protected override ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var start = _time.GetTimestamp();
        var activity = StartActivity();
        var model = ResolveModel(context, out var format);

        ValueTask<Outcome<T>> pending;
        try
        {
            pending = _queue is null ? callback(context, state) : _queue.ExecuteAsync(callback, context, state);
        }
        catch
        {
            StopActivity(activity);
            throw;
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return CompleteAsync(pending, context, model, format, start, activity);
        }

        // The request completed synchronously: record without a state machine (the common case for an in-memory
        // or cached response, and the one the per-request overhead is measured with).
        var recording = TryRecord(pending.Result, context, model, format, start, activity);
        if (!recording.IsCompletedSuccessfully)
        {
            return AwaitRecordingAsync(recording, activity);
        }

        StopActivity(activity);
        return recording;
    }

    private async ValueTask<Outcome<T>> CompleteAsync(
        ValueTask<Outcome<T>> pending, ResilienceContext context, string? model, ApiFormat format, long start, Activity? activity)
    {
        try
        {
            var outcome = await pending.ConfigureAwait(context.ContinueOnCapturedContext);
            return await TryRecord(outcome, context, model, format, start, activity).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        finally
        {
            StopActivity(activity);
        }
    }

    private async ValueTask<Outcome<T>> AwaitRecordingAsync(ValueTask<Outcome<T>> recording, Activity? activity)
    {
        try
        {
            return await recording.ConfigureAwait(false);
        }
        finally
        {
            StopActivity(activity);
        }
    }

    // An ActivityListener's callbacks run inside StartActivity and Dispose: one that throws must not fail the request.
    private Activity? StartActivity()
    {
        try
        {
            return ApiMonitoringTelemetry.StartRequest(_backend.Name);
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
            return null;
        }
    }

    private void StopActivity(Activity? activity)
    {
        if (activity is null)
        {
            return;
        }

        try
        {
            activity.Dispose();
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
    }

    /// <summary>
    /// The request's model, and the format its response is read with: resolved here from the request's URL when the
    /// model is read from the request, so the URL is looked at once per request; else the configured one.
    /// </summary>
    private string? ResolveModel(ResilienceContext context, out ApiFormat format)
    {
        format = _usage.Format;
        try
        {
            if (context.Properties.TryGetValue(ApiMonitoringContext.Model, out var model))
            {
                return TextLimits.Cap(model);
            }

            if (context.GetRequestMessage() is not { } request)
            {
                return null;
            }

            format = _usage.ResolveFormat(request.RequestUri);
            model = TextLimits.Cap(_usage.GetRequestModel(request, format));
            if (model is not null)
            {
                // Shared with the retry strategy, which counts retries per model, and with the application's own
                // strategies (the key is public).
                context.Properties.Set(ApiMonitoringContext.Model, model);
            }

            return model;
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
            return null;
        }
    }

    /// <summary>
    /// Records the request and returns its outcome: the inner pipeline's, or a failure when a JSON body failed to
    /// arrive while it was loaded for its tokens. Never throws: a fault is caught, logged and counted.
    /// </summary>
    private ValueTask<Outcome<T>> TryRecord(Outcome<T> outcome, ResilienceContext context, string? model, ApiFormat format, long start, Activity? activity)
    {
        try
        {
            var failed = Outcomes.IsFailure(outcome, out var response);
            // A body without any header (an empty one) holds nothing to read: it is not inspected at all.
            if (!failed && response is not null && response.Content.Headers.NonValidated.Count != 0)
            {
                // Bodies read as the caller reads them (streams) report their tokens and time to first byte later: only
                // they need an object that remembers this request, made when the extractor decides to observe one.
                // A model the request named is the one counted: the body's is then not read.
                var inspecting = _usage.InspectResponseAsync(
                    response,
                    format,
                    static s => new StreamObservation(s.Strategy, s.Model, s.Start).Callbacks,
                    (Strategy: this, Model: model, Start: start),
                    context.CancellationToken,
                    readModel: model is null);
                if (!inspecting.IsCompletedSuccessfully)
                {
                    return RecordAfterInspectionAsync(inspecting, outcome, response, context, model, start, activity);
                }

                Record(outcome, context, model, start, activity, failed: false, inspecting.Result);
            }
            else
            {
                Record(outcome, context, model, start, activity, failed, default);
            }
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }

        return new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> RecordAfterInspectionAsync(
        ValueTask<TokenUsage> inspecting, Outcome<T> outcome, HttpResponseMessage response, ResilienceContext context, string? model, long start, Activity? activity)
    {
        TokenUsage usage;
        try
        {
            usage = await inspecting.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception bodyFailure)
        {
            // Loading a JSON body failed in transport: the request's own failure, as the caller would have met it
            // reading the body; a half-read response is of no use to anyone.
            response.Dispose();
            outcome = Outcome.FromException<T>(bodyFailure);
            GuardedRecord(outcome, context, model, start, activity, failed: true, default);
            return outcome;
        }

        GuardedRecord(outcome, context, model, start, activity, failed: false, usage);
        return outcome;
    }

    private void GuardedRecord(Outcome<T> outcome, ResilienceContext context, string? model, long start, Activity? activity, bool failed, TokenUsage usage)
    {
        try
        {
            Record(outcome, context, model, start, activity, failed, usage);
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
    }

    private void Record(Outcome<T> outcome, ResilienceContext context, string? model, long start, Activity? activity, bool failed, TokenUsage usage)
    {
        model ??= usage.Model;
        var latency = _time.GetElapsedTime(start);
        var (category, errorType) = failed && _options.ErrorTracking ? Outcomes.Classify(outcome, context, latency, _options.HttpClientTimeout) : (ErrorCategory.None, null);
        var attempts = context.Properties.GetValue(ApiMonitoringContext.Attempts, 1);

        _collector.RecordRequest(new RequestCompleted(_backend)
        {
            Model = model,
            Latency = latency,
            Succeeded = !failed,
            ErrorCategory = category,
            ErrorType = errorType,
            Attempts = attempts,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            Trace = _options.RequestTracing ? Trace(outcome, context, model, failed, latency, category, errorType, attempts, activity) : null,
        });

        if (activity is not null)
        {
            ApiMonitoringTelemetry.CompleteRequest(activity, model, Outcomes.StatusCode(outcome), failed ? errorType ?? ErrorClassifier.GetErrorType(Outcomes.StatusCode(outcome), outcome.Exception) : null);
        }
    }

    private RequestTrace Trace(Outcome<T> outcome, ResilienceContext context, string? model, bool failed, TimeSpan latency,
        ErrorCategory category, string? errorType, int attempts, Activity? activity)
    {
        var end = _time.GetUtcNow();
        var status = Outcomes.StatusCode(outcome);
        // An Activity's id is text already; without one, the trace draws a random id and formats it only when read.
        return new RequestTrace((activity ?? Activity.Current)?.TraceId.ToHexString(), _backend.Name)
        {
            Model = model,
            Success = !failed,
            Latency = latency.TotalMilliseconds,
            Error = failed ? TextLimits.RedactedError(outcome.Exception is { } exception ? TextLimits.MessageOf(exception) : $"HTTP {status}") : null,
            ErrorType = errorType,
            ErrorCategory = category,
            StartTime = end - latency,
            EndTime = end,
            QueueTime = context.Properties.GetValue(ApiMonitoringContext.QueueTime, TimeSpan.Zero).TotalMilliseconds,
            Attempts = attempts,
            StatusCode = status,
        };
    }

    /// <summary>
    /// One streamed body being read by its caller: reports its tokens and its time to first byte. Tokens go to the
    /// model the request was counted under (the stream's own model only when the request named none), as in
    /// <see cref="Record"/>.
    /// </summary>
    private sealed class StreamObservation(RequestMonitoringStrategy<T> strategy, string? model, long start)
    {
        public (Action<TokenUsage>? OnUsage, Action? OnFirstByte) Callbacks => (OnUsage, OnFirstByte);

        public void OnUsage(TokenUsage usage) =>
            strategy._collector.RecordTokens(new TokensReported(strategy._backend, model ?? usage.Model, usage.PromptTokens, usage.CompletionTokens));

        public void OnFirstByte() => strategy._collector.RecordFirstByte(strategy._backend, strategy._time.GetElapsedTime(start));
    }
}
