using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resilience.Metrics;

/// <summary>
/// Publishes the collector's events as OpenTelemetry instruments on the <c>Resilience.Metrics</c> meter. It keeps
/// no counts of its own: event-driven instruments are written only while a listener has enabled them (one field
/// read otherwise), and the gauges observe the collector's live state when a listener collects.
/// </summary>
internal sealed class ApiMonitoringMetrics : IMetricsObserver
{
    // OpenTelemetry GenAI semantic conventions' advised bucket boundaries.
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] ChunkBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private static readonly CircuitState[] States = [CircuitState.Closed, CircuitState.HalfOpen, CircuitState.Open];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _queueTime;
    private readonly Counter<long> _queueRejections;
    private readonly Counter<long> _circuitTransitions;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Histogram<double> _timePerOutputChunk;

    // The collector the gauges observe; null once disposed, so a factory's meter (which outlives us) reports nothing more of it.
    private MetricsCollector? _collector;

    public ApiMonitoringMetrics(MetricsCollector collector, IMeterFactory? meterFactory)
    {
        _collector = collector;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(ApiMonitoringTelemetry.Name) ?? new Meter(ApiMonitoringTelemetry.Name);

        _requests = _meter.CreateCounter<long>("api.client.requests", "{request}", "Requests completed, by backend, model, outcome and error.");
        _duration = _meter.CreateHistogram<double>("api.client.request.duration", "s", "End-to-end request duration, queue time and retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _retries = _meter.CreateCounter<long>("api.client.retries", "{retry}", "Retry attempts, by the failed attempt's error.");
        _queueTime = _meter.CreateHistogram<double>("api.client.queue.time", "s", "How long requests that found no free slot waited for one.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30] });
        _queueRejections = _meter.CreateCounter<long>("api.client.queue.rejections", "{request}", "Requests rejected because the queue was full.");
        _circuitTransitions = _meter.CreateCounter<long>("api.client.circuit.transitions", "{transition}", "Circuit breaker state changes, by new state.");
        _tokenUsage = _meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used per request, by token type.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _operationDuration = _meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "GenAI operation duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

        _timeToFirstChunk = _meter.CreateHistogram<double>("gen_ai.client.operation.time_to_first_chunk", "s",
            "Time from the start of a streamed GenAI operation to its first chunk.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timePerOutputChunk = _meter.CreateHistogram<double>("gen_ai.client.operation.time_per_output_chunk", "s",
            "Mean time between the chunks of a streamed GenAI operation after the first, one value per operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ChunkBuckets });

        _meter.CreateObservableUpDownCounter("api.client.queue.length", () => QueueGauge(Backends(), active: false), "{request}", "Requests waiting now.");
        _meter.CreateObservableUpDownCounter("api.client.active_requests", () => QueueGauge(Backends(), active: true), "{request}", "Requests in flight now.");
        _meter.CreateObservableCounter("api.client.cost", () => Costs(Backends()), "USD", "What the priced models' tokens cost since start or the last reset, from the configured price table.");
        _meter.CreateObservableGauge("api.client.circuit.state", () => CircuitStates(Backends()), "{state}", "1 for the circuit's current state, 0 for the others.");
        RateLimitInstruments.Register(_meter, Backends, collector.TimeProvider);
    }

    public void OnRequest(in RequestCompleted request, BackendMetrics backend)
    {
        var registration = backend.Registration;
        var seconds = request.Latency.TotalSeconds;
        if (_requests.Enabled || _duration.Enabled)
        {
            var tags = new TagList
            {
                { "api.backend", request.Backend.Name },
                { "api.outcome", request.Succeeded ? "success" : "failure" },
            };
            if (request.Model is not null)
            {
                tags.Add("gen_ai.request.model", backend.TelemetryModels.Limit(request.Model));
            }

            if (!request.Succeeded)
            {
                tags.Add("error.type", request.ErrorType ?? "_OTHER");
                tags.Add("api.error.category", request.ErrorCategory.ToName());
            }

            _requests.Add(1, tags);
            _duration.Record(seconds, tags);
        }

        if (registration.GenAiProviderName is { } provider
            && (_operationDuration.Enabled || _tokenUsage.Enabled || _timeToFirstChunk.Enabled || _timePerOutputChunk.Enabled))
        {
            var tags = GenAiTags(provider, registration, backend, request.Model);
            if (request.ResponseModel is not null)
            {
                tags.Add("gen_ai.response.model", backend.TelemetryModels.LimitResponse(request.ResponseModel));
            }

            if (!request.Succeeded)
            {
                tags.Add("error.type", request.ErrorType ?? "_OTHER");
            }

            _operationDuration.Record(seconds, tags);
            if (request.TimeToFirstChunk is { } firstChunk)
            {
                _timeToFirstChunk.Record(firstChunk.TotalSeconds, tags);
            }

            if (request.TimePerOutputChunk is { } perChunk)
            {
                _timePerOutputChunk.Record(perChunk.TotalSeconds, tags);
            }

            if (request.Succeeded)
            {
                RecordTokens(tags, request.PromptTokens, request.CompletionTokens);
            }
        }
    }

    public void OnClientRetry(in RequestCompleted request, BackendMetrics backend)
    {
        OnRetry(new RetryAttempted(request.Backend)
        {
            Model = request.Model,
            AttemptNumber = request.ClientRetryNumber,
            ErrorCategory = request.ErrorCategory,
            ErrorType = request.ErrorType,
        });

        // The retry's tokens are the call's tokens: token usage gets them too.
        var registration = backend.Registration;
        if (registration.GenAiProviderName is { } provider && _tokenUsage.Enabled && (request.PromptTokens > 0 || request.CompletionTokens > 0))
        {
            RecordTokens(GenAiTags(provider, registration, backend, request.Model), request.PromptTokens, request.CompletionTokens);
        }
    }

    private void RecordTokens(TagList tags, long prompt, long completion)
    {
        if (prompt > 0)
        {
            var input = tags;
            input.Add("gen_ai.token.type", "input");
            _tokenUsage.Record(prompt, input);
        }

        if (completion > 0)
        {
            tags.Add("gen_ai.token.type", "output");
            _tokenUsage.Record(completion, tags);
        }
    }

    private static TagList GenAiTags(string provider, BackendRegistration registration, BackendMetrics backend, string? model)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", registration.GenAiOperationName ?? "chat" },
            { "gen_ai.provider.name", provider },
        };
        if (model is not null)
        {
            tags.Add("gen_ai.request.model", backend.TelemetryModels.Limit(model));
        }

        return tags;
    }

    public void OnRetry(RetryAttempted retry)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, new TagList
            {
                { "api.backend", retry.Backend.Name },
                { "error.type", retry.ErrorType ?? "_OTHER" },
                { "api.error.category", retry.ErrorCategory.ToName() },
            });
        }
    }

    public void OnQueue(QueueEvent queueEvent)
    {
        if (queueEvent.Kind == QueueEventKind.Started && _queueTime.Enabled)
        {
            _queueTime.Record(queueEvent.WaitTime.TotalSeconds, new KeyValuePair<string, object?>("api.backend", queueEvent.Backend.Name));
        }
        else if (queueEvent.Kind == QueueEventKind.Rejected && _queueRejections.Enabled)
        {
            _queueRejections.Add(1, new KeyValuePair<string, object?>("api.backend", queueEvent.Backend.Name));
        }
    }

    public void OnCircuitStateChange(CircuitStateChanged change)
    {
        if (_circuitTransitions.Enabled)
        {
            _circuitTransitions.Add(1,
                new KeyValuePair<string, object?>("api.backend", change.Backend.Name),
                new KeyValuePair<string, object?>("api.circuit.state", change.State.ToName()));
        }
    }

    private static IEnumerable<Measurement<long>> QueueGauge(IReadOnlyList<BackendMetrics> backends, bool active)
    {
        foreach (var backend in backends)
        {
            var (waiting, running) = backend.Queues.Read();
            yield return new Measurement<long>(active ? running : waiting, new KeyValuePair<string, object?>("api.backend", backend.Name));
        }
    }

    // Read from the collector's token counters when a listener collects: nothing per request.
    private static IEnumerable<Measurement<double>> Costs(IReadOnlyList<BackendMetrics> backends)
    {
        foreach (var backend in backends)
        {
            if (backend.Prices is not { } prices)
            {
                continue;
            }

            foreach (var stats in backend.Recorded.Models.All)
            {
                if (prices.Match(stats) is { } rate)
                {
                    yield return new Measurement<double>(
                        rate.Cost(stats.Totals()),
                        new KeyValuePair<string, object?>("api.backend", backend.Name),
                        new KeyValuePair<string, object?>("gen_ai.request.model", stats.Name));
                }
            }
        }
    }

    private static IEnumerable<Measurement<int>> CircuitStates(IReadOnlyList<BackendMetrics> backends)
    {
        foreach (var backend in backends)
        {
            var current = backend.Circuit.State;
            foreach (var state in States)
            {
                yield return new Measurement<int>(state == current ? 1 : 0,
                    new KeyValuePair<string, object?>("api.backend", backend.Name),
                    new KeyValuePair<string, object?>("api.circuit.state", state.ToName()));
            }
        }
    }

    private IReadOnlyList<BackendMetrics> Backends() => Volatile.Read(ref _collector)?.All ?? [];

    public void Dispose()
    {
        Volatile.Write(ref _collector, null);
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
