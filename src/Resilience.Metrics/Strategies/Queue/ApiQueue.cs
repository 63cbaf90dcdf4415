using Polly;

namespace Resilience.Metrics;

/// <summary>
/// Priority admission in front of a backend: High before Normal before Low, first come first served within a
/// priority. Reports the requests that waited (their queue time and the queue they found) and the rejections to the
/// collector, which reads how many requests wait, run and were admitted from the gate itself: a request admitted
/// at once sends no event.
/// </summary>
/// <remarks>
/// <c>AddApiQueue</c> adds it as a strategy of its own (<see cref="ApiQueueStrategy"/>). <c>AddApiMonitoring</c>, which puts
/// request monitoring right outside the queue, runs it inside the request-monitoring strategy instead: every strategy
/// in a Polly pipeline costs a generic virtual dispatch and a component hop per request, and this spares one.
/// </remarks>
internal sealed class ApiQueue
{
    private readonly BackendKey _backend;
    private readonly GuardedMetricsCollector _collector;
    private ApiQueueStrategyOptions _options;
    private readonly PriorityGate _gate;
    private readonly TimeProvider _time;

    public ApiQueue(BackendKey backend, GuardedMetricsCollector collector, ApiQueueStrategyOptions options)
    {
        _backend = backend;
        _collector = collector;
        _options = options;
        _time = collector.TimeProvider;
        _gate = new PriorityGate(options.MaxConcurrentRequests, options.QueueSize);
        // (An application's own collector may hand back no counter: the queue then counts for nobody.)
        _gate.Admissions = collector.ObserveQueue(backend, _gate) ?? new AdmissionCounter();
    }

    /// <summary>The backend this queue admits to.</summary>
    public BackendKey Backend => _backend;

    /// <summary>Applies reloaded queue options to this queue: its gate, its holders and its waiters stay.</summary>
    public void Update(ApiQueueStrategyOptions options)
    {
        _options = options;
        _gate.Resize(options.MaxConcurrentRequests, options.QueueSize);
    }

    /// <summary>Runs <paramref name="callback"/> holding a slot: at once when one is free, else after waiting by priority.</summary>
    public ValueTask<Outcome<TResult>> ExecuteAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (!_gate.TryEnter())
        {
            return WaitThenExecuteAsync(callback, context, state);
        }

        // Admitted at once: no event, and no state machine unless the request itself goes asynchronous.
        ValueTask<Outcome<TResult>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch
        {
            Release();
            throw;
        }

        if (pending.IsCompleted)
        {
            Release();
            return pending;
        }

        return ReleaseWhenDoneAsync(pending, context);
    }

    private async ValueTask<Outcome<TResult>> ReleaseWhenDoneAsync<TResult>(ValueTask<Outcome<TResult>> pending, ResilienceContext context)
    {
        try
        {
            return await pending.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        finally
        {
            Release();
        }
    }

    private async ValueTask<Outcome<TResult>> WaitThenExecuteAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (await WaitAsync(context).ConfigureAwait(context.ContinueOnCapturedContext) is { } rejection)
        {
            return Outcome.FromException<TResult>(rejection);
        }

        try
        {
            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Takes a slot at once when one is free and nobody waits (no event: the gate counts the admission).</summary>
    public bool TryEnter() => _gate.TryEnter();

    /// <summary>Gives a slot back.</summary>
    public void Release() => _gate.Exit();

    /// <summary>Waits for a slot; returns the exception to fail with when the request is not admitted.</summary>
    public async ValueTask<Exception?> WaitAsync(ResilienceContext context)
    {
        var start = _time.GetTimestamp();
        switch (_gate.Enter(ApiMonitoringContext.GetPriority(context), context.CancellationToken, out var queueLength, out var admission))
        {
            case GateEntry.Admitted:
                // A slot freed up while we announced ourselves: admitted without waiting.
                _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Started, queueLength));
                return null;
            case GateEntry.Rejected:
                _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Rejected, queueLength));
                return new QueueRejectedException(
                    $"The request queue of backend '{_backend.Name}' is full: {_options.MaxConcurrentRequests} requests in flight and {_options.QueueSize} waiting.");
        }

        _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Enqueued, queueLength));
        try
        {
            await admission!.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (OperationCanceledException exception)
        {
            return exception;
        }

        var waited = _time.GetElapsedTime(start);
        _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Started, queueLength, waited));
        context.Properties.Set(ApiMonitoringContext.QueueTime, waited);
        ApiMonitoringTelemetry.QueueWaited(context.Properties.GetValue(ApiMonitoringContext.RequestActivity, null!), waited, queueLength);
        return null;
    }
}
