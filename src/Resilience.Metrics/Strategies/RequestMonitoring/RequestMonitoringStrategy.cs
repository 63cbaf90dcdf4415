using System.Diagnostics;
using Polly;

namespace Resilience.Metrics;

/// <summary>
/// The outermost strategy: measures a request end to end (queue and retries included), judges its final outcome,
/// learns its model and tokens, and sends one <see cref="RequestCompleted"/>. A fault in any of that is caught,
/// logged and counted; the caller always gets the outcome the inner pipeline produced.
/// </summary>
/// <remarks>
/// A response whose body is read as the caller reads it (a stream) completes when that body ends: read to its end,
/// disposed, failed in transport, or reclaimed by the garbage collector unread. Until then the request keeps its
/// queue slot and its span, and its latency runs on.
/// </remarks>
internal sealed class RequestMonitoringStrategy<T> : ResilienceStrategy<T>
{
    private readonly BackendKey _backend;
    private readonly GuardedMetricsCollector _collector;
    private readonly RequestMonitoringStrategyOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpUsageExtractor _usage;
    private readonly ApiQueue? _queue;

    // Whether the collector keeps rate limits (ours does, an application's own may not): known once, at build time.
    private readonly bool _readsRateLimits;

    // The model name requests named last: a request body naming it again is read without a new string.
    private string? _lastRequestModel;

    // The model name responses gave last: a response naming it again is read without a new string.
    private string? _lastResponseModel;

    /// <param name="backend">The backend recorded.</param>
    /// <param name="collector">Where the request events go.</param>
    /// <param name="options">What is recorded.</param>
    /// <param name="queue">The priority queue right inside request monitoring, run here rather than as a strategy of its
    /// own (one Polly strategy layer less per request, and a slot that can outlive the pipeline for a streamed body);
    /// null when there is none.</param>
    public RequestMonitoringStrategy(BackendKey backend, GuardedMetricsCollector collector, RequestMonitoringStrategyOptions options, ApiQueue? queue = null)
    {
        _queue = queue;
        _backend = backend;
        _collector = collector;
        _options = options;
        _time = collector.TimeProvider;
        _usage = new HttpUsageExtractor(options.ApiFormat);
        _readsRateLimits = collector.RateLimitsOf(backend) is not null;
    }

    protected override ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        // One request state, filled in place: copies of it cost time on every request.
        var request = new PendingRequest(_time.GetTimestamp(), StartActivity(context));
        Resolve(context, ref request, out var unbuffered);
        if (unbuffered is not null || (_queue is not null && !_queue.TryEnter()))
        {
            return ExecuteSlowAsync(callback, context, state, request, unbuffered);
        }

        request.HoldsSlot = _queue is not null;
        ValueTask<Outcome<T>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception exception)
        {
            // An inner strategy threw instead of returning an outcome: the request still counts, as failed.
            Thrown(in request, context, exception);
            throw;
        }

        // A request that completed synchronously (an in-memory or cached response, the one the per-request overhead
        // is measured with) is recorded without a state machine.
        return pending.IsCompletedSuccessfully ? Complete(pending.Result, context, in request) : CompleteAsync(pending, context, request);
    }

    private async ValueTask<Outcome<T>> CompleteAsync(ValueTask<Outcome<T>> pending, ResilienceContext context, PendingRequest request)
    {
        Outcome<T> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception exception)
        {
            // An inner strategy threw instead of returning an outcome: the request still counts, as failed.
            Thrown(in request, context, exception);
            throw;
        }

        return await Complete(outcome, context, in request).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    /// <summary>The path for a body that must be buffered first, or a queue without a free slot.</summary>
    private async ValueTask<Outcome<T>> ExecuteSlowAsync<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state, PendingRequest request, HttpContent? unbuffered)
    {
        if (unbuffered is not null)
        {
            try
            {
                // Once, so the model can be read and the body sent again; the same bytes go out as without monitoring.
                await unbuffered.LoadIntoBufferAsync(_usage.MaxJsonBodyBytes, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            }
            catch (Exception exception)
            {
                // Serializing the body failed: sending it would have failed the same way.
                return await Complete(Outcome.FromException<T>(exception), context, in request).ConfigureAwait(context.ContinueOnCapturedContext);
            }

            context.Properties.Set(ApiMonitoringContext.BufferedBody, unbuffered);
            ReadBufferedModel(context, ref request);
        }

        if (_queue is not null)
        {
            if (!_queue.TryEnter() && await _queue.WaitAsync(context).ConfigureAwait(context.ContinueOnCapturedContext) is { } rejection)
            {
                return await Complete(Outcome.FromException<T>(rejection), context, in request).ConfigureAwait(context.ContinueOnCapturedContext);
            }

            request.HoldsSlot = true;
        }

        Outcome<T> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception exception)
        {
            // An inner strategy threw instead of returning an outcome: the request still counts, as failed.
            Thrown(in request, context, exception);
            throw;
        }

        return await Complete(outcome, context, in request).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    /// <summary>
    /// The request's model and the format its response is read with: resolved here from the request's URL (and
    /// headers) when the model is read from the request, so they are looked at once per request; else the configured
    /// format. <paramref name="unbuffered"/> is a body that must be buffered before its model can be read.
    /// </summary>
    private void Resolve(ResilienceContext context, ref PendingRequest request, out HttpContent? unbuffered)
    {
        unbuffered = null;
        request.Format = _usage.Format;

        // A model named on the pipeline's context (the way of pipelines without HTTP; HTTP callers name it on the request,
        // request.SetApiModel) is taken as it is, with the configured format: one property look-up on this path, which
        // needs no try region (a look-up does not throw).
        if (context.Properties.TryGetValue(ApiMonitoringContext.Model, out var named))
        {
            request.Model = TextLimits.Cap(named);
            return;
        }

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
            if (unbuffered is null)
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
            if (context.GetRequestMessage() is { } message)
            {
                SetModel(context, ref request, TextLimits.Cap(_usage.GetRequestModel(message, request.Format, buffered: true, Volatile.Read(ref _lastRequestModel))));
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

    /// <summary>
    /// Records the request, or hands it to its body's sink when the body is read as the caller reads it, and returns
    /// its outcome: the inner pipeline's, or a failure when a JSON body failed to arrive while it was loaded for its
    /// tokens. Never throws: a fault is caught, logged and counted.
    /// </summary>
    private ValueTask<Outcome<T>> Complete(Outcome<T> outcome, ResilienceContext context, in PendingRequest request)
    {
        var handedOver = false;
        try
        {
            var failed = Outcomes.IsFailure(outcome, out var response);
            if (_readsRateLimits && request.Format != ApiFormat.S3)
            {
                RateLimits.Observe(response, _collector, _backend);
            }

            // A body without any header (an empty one) holds nothing to read: it is not inspected at all.
            if (!failed && !request.SkipResponse && response is not null && response.Content.Headers.NonValidated.Count != 0)
            {
                var inspecting = _usage.InspectResponseAsync(
                    response,
                    request.Format,
                    static s => new StreamCompletion(s.Strategy, s.Request, s.Context, s.Response),
                    (Strategy: this, Request: request, Context: context, Response: response),
                    Volatile.Read(ref _lastResponseModel),
                    out handedOver,
                    context.CancellationToken);
                if (handedOver)
                {
                    // The body's sink records the request when the body ends; the caller's context gets its span back.
                    if (request.Activity is { } activity && Activity.Current == activity)
                    {
                        Activity.Current = activity.Parent;
                    }

                    return new ValueTask<Outcome<T>>(outcome);
                }

                if (!inspecting.IsCompletedSuccessfully)
                {
                    handedOver = true;
                    return RecordAfterLoadingAsync(inspecting, outcome, response, context, request);
                }

                Record(request, outcome, context, failed: false, inspecting.Result);
            }
            else
            {
                Record(request, outcome, context, failed, default);
            }
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
        finally
        {
            if (!handedOver)
            {
                End(in request);
            }
        }

        return new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> RecordAfterLoadingAsync(
        ValueTask<TokenUsage> loading, Outcome<T> outcome, HttpResponseMessage response, ResilienceContext context, PendingRequest request)
    {
        try
        {
            TokenUsage usage;
            try
            {
                usage = await loading.ConfigureAwait(context.ContinueOnCapturedContext);
            }
            catch (Exception bodyFailure)
            {
                // Loading a JSON body failed in transport: the request's own failure, as the caller would have met it
                // reading the body; a half-read response is of no use to anyone.
                response.Dispose();
                outcome = Outcome.FromException<T>(bodyFailure);
                GuardedRecord(request, outcome, context, failed: true, default);
                return outcome;
            }

            GuardedRecord(request, outcome, context, failed: false, usage);
            return outcome;
        }
        finally
        {
            End(in request);
        }
    }

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
        Record(request, new Ending(Outcomes.StatusCode(outcome), outcome.Exception, failed, callerCancelled,
            context.Properties.GetValue(ApiMonitoringContext.Attempts, 1), QueueTime(context)), usage, default);
    }

    private void Record(in PendingRequest request, in Ending ending, in TokenUsage usage, in StreamTimes stream)
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

    private RequestTrace Trace(in PendingRequest request, in Ending ending, string? model, TimeSpan latency, ErrorCategory category, string? errorType)
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

    /// <summary>What is known of a request before its outcome: when it started, its span, model, format and slot.</summary>
    private record struct PendingRequest(long Start, Activity? Activity)
    {
        public string? Model { get; set; }

        public ApiFormat Format { get; set; }

        /// <summary>The response is not read for a model or tokens (S3; an unknown API and no model named).</summary>
        public bool SkipResponse { get; set; }

        /// <summary>The request holds a queue slot, to give back when it ends.</summary>
        public bool HoldsSlot { get; set; }

        /// <summary>The retry number the client (an SDK) put on the request; 0 for a first attempt.</summary>
        public int ClientRetryNumber { get; set; }
    }

    /// <summary>How a request ended, taken from its outcome and context (which a streamed body outlives).</summary>
    private readonly record struct Ending(int? StatusCode, Exception? Exception, bool Failed, bool CallerCancelled, int Attempts, TimeSpan QueueTime);

    /// <summary>A streamed body's timing: time to its first chunk, and the mean time between its chunks after that.</summary>
    private readonly record struct StreamTimes(TimeSpan? FirstChunk, TimeSpan? PerChunk);

    /// <summary>
    /// One streamed body being read by its caller: records its request when the body ends, with the tokens it carried
    /// (under the model the request named; the stream's own model only when it named none), the time to its first
    /// chunk and per chunk, and a read failure as the request's failure; then frees the slot and ends the span.
    /// </summary>
    private sealed class StreamCompletion(RequestMonitoringStrategy<T> strategy, PendingRequest request, ResilienceContext context, HttpResponseMessage response)
        : IResponseBodySink
    {
        // Taken now: the context goes back to its pool when the pipeline returns, long before the body ends.
        private readonly int _status = (int)response.StatusCode;
        private readonly int _attempts = context.Properties.GetValue(ApiMonitoringContext.Attempts, 1);
        private readonly TimeSpan _queueTime = strategy.QueueTime(context);
        private long _firstByte;
        private long _firstChunk;
        private long _lastChunk;
        private int _chunks;

        public void OnFirstByte() => _firstByte = strategy._time.GetTimestamp();

        public void OnChunks(int count)
        {
            var now = strategy._time.GetTimestamp();
            if (_chunks == 0)
            {
                _firstChunk = now;
            }

            _lastChunk = now;
            _chunks += count;
        }

        public void OnCompleted(in TokenUsage usage, bool usageFound, Exception? failure)
        {
            // The body may end on any thread, inside any span of the caller's: ending ours must not change its current span.
            var current = Activity.Current;
            try
            {
                var time = strategy._time;
                // A time to first chunk only for a body of chunks (an event stream, NDJSON), not for JSON of unknown length.
                var times = new StreamTimes(
                    _firstByte == 0 || _chunks == 0 ? null : time.GetElapsedTime(request.Start, _firstByte),
                    _chunks < 2 ? null : time.GetElapsedTime(_firstChunk, _lastChunk) / (_chunks - 1));
                var ending = new Ending(_status, failure, failure is not null, failure is OperationCanceledException, _attempts, _queueTime);
                strategy.Record(request, ending, usage, times);
            }
            catch (Exception exception)
            {
                strategy._collector.Fault(strategy._backend, exception);
            }
            finally
            {
                strategy.End(in request);
                if (request.Activity is not null)
                {
                    Activity.Current = current == request.Activity ? request.Activity.Parent : current;
                }
            }
        }
    }
}
