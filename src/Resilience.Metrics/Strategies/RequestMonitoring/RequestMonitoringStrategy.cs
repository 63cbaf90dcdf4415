using System.Diagnostics;
using System.Runtime.CompilerServices;
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
internal sealed partial class RequestMonitoringStrategy<T> : ResilienceStrategy<T>
{
    private readonly BackendKey _backend;
    private readonly GuardedMetricsCollector _collector;
    private readonly RequestMonitoringStrategyOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpUsageExtractor _usage;
    private readonly ApiQueue? _queue;

    // Whether the collector keeps rate limits (ours does, an application's own may not): known once, at build time.
    // The backend's rate-limit state (the built-in collector's, kept for the collector's lifetime); null without one.
    private readonly RateLimitState? _rateLimits;

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
        _rateLimits = collector.RateLimitsOf(backend);
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

    // Pooled: every request whose response arrives asynchronously passes here (no state machine allocated per request).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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

    // Its own guard: a header that breaks the parser must not cost the request its record.
    private void ObserveRateLimits(HttpResponseMessage? response, RateLimitState state)
    {
        try
        {
            RateLimits.Observe(response, state, _collector.TimeProvider);
        }
        catch (Exception exception)
        {
            _collector.Fault(_backend, exception);
        }
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
            if (_rateLimits is { } rateLimits && request.Format != ApiFormat.S3)
            {
                ObserveRateLimits(response, rateLimits);
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

    // Pooled: every request whose response arrives asynchronously passes here (no state machine allocated per request).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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
}
