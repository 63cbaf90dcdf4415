namespace Resilience.Metrics;

/// <content>The events, each sent to its backend's state by the index in its key: lock-free, allocation-free.</content>
public sealed partial class MetricsCollector
{
    /// <inheritdoc />
    public void RecordRequest(RequestCompleted request)
    {
        MarkReached();
        Record(in request);
    }

    /// <summary>Records a finished request passed by reference: the event is large, and this is the per-request path.</summary>
    internal void Record(in RequestCompleted request)
    {
        var backend = Get(request.Backend);
        if (request.ClientRetryNumber > 0)
        {
            RecordClientRetry(backend, request);
            return;
        }

        var recorded = backend.Recorded;
        var counters = recorded.Counters;
        var processor = Thread.GetCurrentProcessorId();
        var stripe = counters.StripeOf(processor);
        var ticks = Math.Max(0, request.Latency.Ticks);

        CountRequest(counters, stripe, CounterSlots.Backend, in request, ticks);
        recorded.Latency.Record(ticks, processor);

        if (!request.Succeeded)
        {
            recorded.RecordError(stripe, request.ErrorCategory, request.ErrorType);
            if (request.ErrorCategory == ErrorCategory.Timeout)
            {
                counters.Increment(stripe, RecordedMetrics.Timeouts);
            }
        }

        if (request.TimeToFirstChunk is { } firstChunk)
        {
            var firstChunkTicks = Math.Max(0, firstChunk.Ticks);
            counters.Add(stripe, RecordedMetrics.FirstByteTicks, firstChunkTicks);
            recorded.FirstByte.Record(firstChunkTicks, processor);
        }

        if (request.Model is { } model)
        {
            var stats = recorded.Models.Get(model);
            var modelCounters = stats.Counters;
            CountRequest(modelCounters, modelCounters.StripeOf(processor), CounterSlots.Model, in request, ticks);
            stats.Latency?.Record(ticks, processor);
            if (request.ResponseModel is { } responseModel)
            {
                stats.ResponseModels.Add(responseModel);
            }
        }

        if (request.Trace is { } trace)
        {
            recorded.Traces.Add(trace);
        }

        // Published last: a listener that throws (its own bug) must not cost the count.
        _observer?.OnRequest(in request, backend);
    }

    /// <summary>
    /// A retry attempt an SDK made of a request it sent before (which was counted, as failed: SDKs retry failures).
    /// It is one more retry attempt of that logical request, not a request of its own: its success turns the logical
    /// request from failed to successful, its failure is one more error of it. Its latency and tokens add to the
    /// sums (the mean latency of a logical request includes its retries); the latency histogram keeps one sample
    /// per logical request.
    /// </summary>
    private void RecordClientRetry(BackendMetrics backend, in RequestCompleted request)
    {
        var recorded = backend.Recorded;
        var processor = Thread.GetCurrentProcessorId();
        var stripe = recorded.Counters.StripeOf(processor);
        CountClientRetry(recorded.Counters, stripe, CounterSlots.Backend, request);
        if (!request.Succeeded)
        {
            recorded.RecordError(stripe, request.ErrorCategory, request.ErrorType);
        }

        if (request.Model is { } model)
        {
            var stats = recorded.Models.Get(model);
            CountClientRetry(stats.Counters, stats.Counters.StripeOf(processor), CounterSlots.Model, request);
            if (request.ResponseModel is { } responseModel)
            {
                stats.ResponseModels.Add(responseModel);
            }
        }

        if (request.Trace is { } trace)
        {
            recorded.Traces.Add(trace);
        }

        _observer?.OnClientRetry(in request, backend);
    }

    /// <summary>The counts a request adds alike to the backend's counters and to its model's.</summary>
    private static void CountRequest(StripedCounters counters, int stripe, in CounterSlots slots, in RequestCompleted request, long ticks)
    {
        counters.Increment(stripe, request.Succeeded ? slots.Successes : slots.Failures);
        counters.Add(stripe, slots.LatencyTicks, ticks);
        if (request.Attempts > 1)
        {
            counters.Increment(stripe, slots.RetriedRequests);
        }

        AddTokens(counters, stripe, slots, in request);
    }

    /// <summary>The same counts of a client's retry attempt, for the backend's counters or a model's.</summary>
    private static void CountClientRetry(StripedCounters counters, int stripe, in CounterSlots slots, in RequestCompleted request)
    {
        counters.Increment(stripe, slots.RetryAttempts);
        counters.Add(stripe, slots.LatencyTicks, Math.Max(0, request.Latency.Ticks));
        if (request.ClientRetryNumber == 1)
        {
            counters.Increment(stripe, slots.RetriedRequests);
        }

        if (request.Succeeded)
        {
            counters.Add(stripe, slots.Failures, -1);
            counters.Increment(stripe, slots.Successes);
        }

        AddTokens(counters, stripe, slots, in request);
    }

    /// <summary>A request's token counts, each into its slot.</summary>
    private static void AddTokens(StripedCounters counters, int stripe, in CounterSlots slots, in RequestCompleted request)
    {
        AddTokens(counters, stripe, slots.PromptTokens, request.PromptTokens);
        AddTokens(counters, stripe, slots.CompletionTokens, request.CompletionTokens);
        AddTokens(counters, stripe, slots.CachedTokens, request.CachedTokens);
        AddTokens(counters, stripe, slots.ReasoningTokens, request.ReasoningTokens);
        AddTokens(counters, stripe, slots.CacheWriteTokens, request.CacheWriteTokens);
    }

    /// <summary>Adds a token count to its slot; a count of 0 (or a negative one) costs a comparison and no write.</summary>
    private static void AddTokens(StripedCounters counters, int stripe, int slot, long tokens)
    {
        if (tokens > 0)
        {
            counters.Add(stripe, slot, tokens);
        }
    }

    /// <inheritdoc />
    public void RecordRetry(RetryAttempted retry)
    {
        MarkReached();
        Retry(retry);
    }

    /// <inheritdoc />
    public void RecordCircuitStateChange(CircuitStateChanged change)
    {
        MarkReached();
        CircuitStateChange(change);
    }

    /// <inheritdoc />
    public void RecordCircuitAttempt(BackendKey backend, bool failed)
    {
        MarkReached();
        CircuitAttempt(backend, failed);
    }

    /// <inheritdoc />
    public void RecordMonitoringError(BackendKey backend)
    {
        MarkReached();
        MonitoringError(backend);
    }

    internal void Retry(RetryAttempted retry)
    {
        var recorded = Get(retry.Backend).Recorded;
        var stripe = recorded.Counters.CurrentStripe;
        recorded.Counters.Increment(stripe, RecordedMetrics.RetryAttempts);
        recorded.RecordError(stripe, retry.ErrorCategory, retry.ErrorType);
        if (retry.Model is { } model)
        {
            var counters = recorded.Models.Get(model).Counters;
            counters.Increment(counters.CurrentStripe, ModelStats.RetryAttempts);
        }

        _observer?.OnRetry(retry);
    }

    internal void CircuitStateChange(CircuitStateChanged change)
    {
        Get(change.Backend).Circuit.Change(change.State, change.BreakDuration);
        _observer?.OnCircuitStateChange(change);
    }

    internal void CircuitAttempt(BackendKey backend, bool failed) => Get(backend).Circuit.RecordAttempt(failed);

    /// <summary>Records a queue change: a request waiting, admitted after waiting, or rejected.</summary>
    internal void RecordQueue(QueueEvent queueEvent)
    {
        var recorded = Get(queueEvent.Backend).Recorded;
        var counters = recorded.Counters;
        switch (queueEvent.Kind)
        {
            case QueueEventKind.Enqueued:
                recorded.ObserveQueueLength(queueEvent.QueueLength + 1L);
                break;
            case QueueEventKind.Rejected:
                counters.Increment(counters.CurrentStripe, RecordedMetrics.QueueRejections);
                break;
            case QueueEventKind.Started:
                var stripe = counters.CurrentStripe;
                if (queueEvent.WaitTime > TimeSpan.Zero)
                {
                    counters.Add(stripe, RecordedMetrics.QueueTimeTicks, queueEvent.WaitTime.Ticks);
                }

                if (queueEvent.QueueLength > 0)
                {
                    counters.Add(stripe, RecordedMetrics.QueueLengthSum, queueEvent.QueueLength);
                }

                break;
        }

        _observer?.OnQueue(queueEvent);
    }

    /// <summary>Makes a queue's live state part of the backend's figures and returns the backend's admission counter.</summary>
    internal AdmissionCounter ObserveQueue(BackendKey backend, IQueueState queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var metrics = Get(backend);
        metrics.Queues.Add(queue);
        return metrics.Admissions;
    }

    internal void MonitoringError(BackendKey backend)
    {
        var recorded = Get(backend).Recorded;
        recorded.Counters.Increment(recorded.Counters.CurrentStripe, RecordedMetrics.MonitoringErrors);
    }
}
