using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Reporting;

public sealed class MetricsReporterTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;
    private readonly BackendKey _openai;

    public MetricsReporterTests()
    {
        _collector = new MetricsCollector(_time);
        _reporter = new MetricsReporter(_collector);
        _openai = _collector.RegisterBackend("openai");
    }

    public void Dispose() => _collector.Dispose();

    private void Request(double ms, bool ok = true, string? model = null, ErrorCategory category = ErrorCategory.None,
        string? errorType = null, int attempts = 1, long prompt = 0, long completion = 0, BackendKey? backend = null) =>
        _collector.RecordRequest(new RequestCompleted(backend ?? _openai)
        {
            Latency = TimeSpan.FromMilliseconds(ms),
            Succeeded = ok,
            Model = model,
            ErrorCategory = ok ? ErrorCategory.None : category,
            ErrorType = errorType,
            Attempts = attempts,
            PromptTokens = prompt,
            CompletionTokens = completion,
        });

    [Fact]
    public void The_report_counts_requests_successes_failures_timeouts_and_retries()
    {
        Request(100);
        Request(200, attempts: 3);
        Request(300, ok: false, category: ErrorCategory.Timeout, errorType: "TimeoutRejectedException");
        Request(400, ok: false, category: ErrorCategory.RateLimiting, errorType: "429", attempts: 2);

        var report = _reporter.GetMetricsReport("openai");

        Assert.Equal("openai", report.Backend);
        Assert.Equal(4, report.TotalRequests);
        Assert.Equal(2, report.Successes);
        Assert.Equal(2, report.Failures);
        Assert.Equal(1, report.Timeouts);
        Assert.Equal(2, report.Retries);
        Assert.Equal(0.5, report.SuccessRate);
        Assert.Equal(_time.GetUtcNow(), report.Timestamp);
    }

    [Fact]
    public void Latency_figures_match_hand_computed_values()
    {
        foreach (var ms in new[] { 10.0, 20, 30, 40, 50, 60, 70, 80, 90, 1000 })
        {
            Request(ms);
        }

        var latency = _reporter.GetLatencyMetrics("openai");

        Assert.Equal(145, latency.AvgLatency, 6);
        Assert.Equal(10, latency.MinLatency, 6);
        Assert.Equal(1000, latency.MaxLatency, 6);
        Assert.Equal(10, latency.Count);
        // Guide: sorted[int(n * p)] → p50 = sorted[5] = 60, p90 = sorted[9] = 1000, p95 = p99 = 1000.
        Assert.Equal(["50", "90", "95", "99"], latency.Percentiles.Keys);
        Assert.Equal(60, latency.Percentiles["50"], 60 * 0.01);
        Assert.Equal(1000, latency.Percentiles["90"], 1000 * 0.01);
        Assert.Equal(1000, latency.Percentiles["99"], 1000 * 0.01);
    }

    [Fact]
    public void Time_to_first_byte_is_reported_for_streams_only()
    {
        Assert.Null(_reporter.GetLatencyMetrics("openai").TimeToFirstByte);

        _collector.RecordRequest(new RequestCompleted(_openai) { Succeeded = true, Latency = TimeSpan.FromSeconds(1), TimeToFirstChunk = TimeSpan.FromMilliseconds(100) });
        _collector.RecordRequest(new RequestCompleted(_openai) { Succeeded = true, Latency = TimeSpan.FromSeconds(1), TimeToFirstChunk = TimeSpan.FromMilliseconds(300) });

        var firstByte = _reporter.GetLatencyMetrics("openai").TimeToFirstByte;
        Assert.NotNull(firstByte);
        Assert.Equal(2, firstByte.Count);
        Assert.Equal(200, firstByte.AvgLatency, 6);
        Assert.Equal(300, firstByte.Percentiles["99"], 300 * 0.01);
    }

    [Fact]
    public void Configured_percentiles_are_the_reported_keys()
    {
        var key = _collector.RegisterBackend("groq", new BackendRegistration { LatencyPercentiles = [75, 99.9] });
        Request(5, backend: key);

        Assert.Equal(["75", "99.9"], _reporter.GetLatencyMetrics("groq").Percentiles.Keys);
    }

    [Fact]
    public void Errors_are_counted_by_type_and_category_with_the_most_common_type()
    {
        Request(1);
        Request(1, ok: false, category: ErrorCategory.RateLimiting, errorType: "429");
        Request(1, ok: false, category: ErrorCategory.RateLimiting, errorType: "429");
        Request(1, ok: false, category: ErrorCategory.Network, errorType: "HttpRequestException");
        _collector.RecordRetry(new RetryAttempted(_openai) { ErrorCategory = ErrorCategory.ServiceUnavailable, ErrorType = "503" });

        var errors = _reporter.GetErrorMetrics("openai");

        Assert.Equal(0.75, errors.ErrorRate);
        Assert.Equal(3, errors.TotalErrors);
        Assert.Equal(new Dictionary<string, long> { ["429"] = 2, ["503"] = 1, ["HttpRequestException"] = 1 }, errors.ErrorTypes);
        Assert.Equal("429", errors.MostCommonError);
        Assert.Equal(7, errors.ErrorCategories.Count);
        Assert.Equal(2, errors.ErrorCategories["rate_limiting"]);
        Assert.Equal(1, errors.ErrorCategories["service_unavailable"]);
        Assert.Equal(1, errors.ErrorCategories["network"]);
        Assert.Equal(0, errors.ErrorCategories["authentication"]);
        Assert.Equal(1, _reporter.GetMetricsReport("openai").RetryAttempts);
    }

    [Fact]
    public void Unclassified_failures_count_as_failures_only()
    {
        Request(1, ok: false, category: ErrorCategory.None);

        var report = _reporter.GetMetricsReport("openai");
        Assert.Equal(1, report.Failures);
        Assert.Empty(report.Errors.ErrorTypes);
        Assert.All(report.Errors.ErrorCategories.Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public void No_errors_means_no_most_common_error()
    {
        Request(1);
        var errors = _reporter.GetErrorMetrics("openai");
        Assert.Null(errors.MostCommonError);
        Assert.Equal(0, errors.ErrorRate);
        Assert.Empty(errors.ErrorTypes);
    }

    [Fact]
    public void Model_figures_and_tokens_add_up()
    {
        Request(100, model: "gpt-4o", prompt: 10, completion: 20);
        Request(300, model: "gpt-4o", ok: false, category: ErrorCategory.Timeout, attempts: 2);
        Request(50, model: "gpt-4o-mini", prompt: 1, completion: 2);

        var model = _reporter.GetModelMetrics("openai", "gpt-4o");
        Assert.Equal(2, model.Requests);
        Assert.Equal(1, model.Successes);
        Assert.Equal(1, model.Failures);
        Assert.Equal(0.5, model.SuccessRate);
        Assert.Equal(200, model.AvgLatency, 6);
        Assert.Equal(1, model.Retries);
        Assert.Equal(new TokenCounts(10, 20), model.TokenCounts);
        Assert.Null(model.Percentiles);

        var report = _reporter.GetMetricsReport("openai");
        Assert.Equal(new TokenCounts(11, 22), report.TokenCounts);
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], report.Models.Keys);
    }

    [Fact]
    public void An_unknown_model_reports_zeros_as_in_the_guide()
    {
        var model = _reporter.GetModelMetrics("openai", "nope");
        Assert.Equal(0, model.Requests);
        Assert.Equal(0, model.SuccessRate);
        Assert.Equal(0, model.AvgLatency);
    }

    [Fact]
    public void Detailed_latency_adds_model_percentiles()
    {
        var key = _collector.RegisterBackend("claude", new BackendRegistration { DetailedLatency = true });
        Request(10, model: "sonnet", backend: key);
        Request(20, model: "sonnet", backend: key);

        var percentiles = _reporter.GetModelMetrics("claude", "sonnet").Percentiles;
        Assert.NotNull(percentiles);
        Assert.Equal(20, percentiles["50"], 0.2);
    }

    [Fact]
    public void Distinct_models_are_capped_with_an_other_entry()
    {
        for (var i = 0; i < RecordedMetrics.MaxModels + 50; i++)
        {
            Request(1, model: $"model-{i}");
        }

        var models = _reporter.GetMetricsReport("openai").Models;
        Assert.Equal(RecordedMetrics.MaxModels + 1, models.Count);
        Assert.Equal(50, models["other"].Requests);
        Assert.Equal(RecordedMetrics.MaxModels + 50, models.Values.Sum(m => m.Requests));
    }

    [Fact]
    public void Distinct_error_types_are_capped_with_an_other_entry()
    {
        for (var i = 0; i < RecordedMetrics.MaxErrorTypes + 10; i++)
        {
            Request(1, ok: false, category: ErrorCategory.Unexpected, errorType: $"Error{i}");
        }

        var types = _reporter.GetErrorMetrics("openai").ErrorTypes;
        Assert.Equal(RecordedMetrics.MaxErrorTypes + 1, types.Count);
        Assert.Equal(10, types["other"]);
    }

    [Fact]
    public void Queue_figures_come_from_queue_events_and_the_live_counts_from_the_observed_queues()
    {
        var first = new QueueState(waiting: 1, active: 1);
        var second = new QueueState(waiting: 2, active: 3);
        var admissions = _collector.ObserveQueue(_openai, first);
        Assert.Same(admissions, _collector.ObserveQueue(_openai, second));   // one counter per backend
        _collector.ObserveQueue(_openai, first);
        admissions.Increment();
        admissions.Increment();
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Enqueued, 0));
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Enqueued, 1));
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Rejected, 2));
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Started, 1, TimeSpan.FromMilliseconds(30)));

        var queue = _reporter.GetQueueMetrics("openai");
        Assert.Equal(3, queue.CurrentQueueSize);        // 1 + 2: each queue counted once
        Assert.Equal(4, queue.ActiveRequests);
        Assert.Equal(15, queue.AvgQueueTimeMs, 6);       // (0 + 30) / 2 admissions, one at once, one after waiting
        Assert.Equal(0.5, queue.AvgQueueLength, 6);      // (0 + 1) / 2
        Assert.Equal(2, queue.MaxQueueLength);
        Assert.Equal(1, queue.QueueRejectionCount);
        GC.KeepAlive(first);
        GC.KeepAlive(second);
    }

    [Fact]
    public void Circuit_state_times_add_up_across_transitions()
    {
        var key = _collector.RegisterBackend("gemini", new BackendRegistration { FailureThreshold = 3 });
        _time.Advance(TimeSpan.FromSeconds(10));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(key, CircuitState.Open));
        _time.Advance(TimeSpan.FromSeconds(30));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(key, CircuitState.HalfOpen));
        _time.Advance(TimeSpan.FromSeconds(2));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(key, CircuitState.Open));
        _time.Advance(TimeSpan.FromSeconds(30));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(key, CircuitState.HalfOpen));
        _time.Advance(TimeSpan.FromSeconds(1));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(key, CircuitState.Closed));
        _time.Advance(TimeSpan.FromSeconds(27));

        var circuit = _reporter.GetCircuitBreakerMetrics("gemini");

        Assert.Equal(CircuitState.Closed, circuit.CurrentState);
        Assert.Equal(3, circuit.FailureThreshold);
        Assert.Equal(2, circuit.OpenCircuitCount);
        Assert.Equal(37, circuit.StateTimeSeconds["CLOSED"], 6);
        Assert.Equal(60, circuit.StateTimeSeconds["OPEN"], 6);
        Assert.Equal(3, circuit.StateTimeSeconds["HALF-OPEN"], 6);
        Assert.Equal(37, circuit.UptimePercentage, 6);
        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], circuit.StateChanges.Select(c => c.State));
    }

    [Fact]
    public void Failure_count_is_consecutive_failures_cleared_by_a_success()
    {
        _collector.RecordCircuitAttempt(_openai, failed: true);
        _collector.RecordCircuitAttempt(_openai, failed: true);
        Assert.Equal(2, _reporter.GetCircuitBreakerMetrics("openai").FailureCount);

        _collector.RecordCircuitAttempt(_openai, failed: false);
        Assert.Equal(0, _reporter.GetCircuitBreakerMetrics("openai").FailureCount);
    }

    [Fact]
    public void A_fresh_backend_has_a_closed_circuit_with_full_uptime()
    {
        var circuit = _reporter.GetCircuitBreakerMetrics("openai");
        Assert.Equal(CircuitState.Closed, circuit.CurrentState);
        Assert.Equal(100, circuit.UptimePercentage);
        Assert.Empty(circuit.StateChanges);
    }

    [Fact]
    public void Throughput_counts_the_requests_and_tokens_of_the_window()
    {
        for (var second = 0; second < 120; second++)
        {
            Request(1, prompt: 10, completion: 30);
            Request(1, prompt: 10, completion: 30);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var last60 = _reporter.GetThroughputMetrics("openai");
        Assert.Equal(60, last60.TimeWindowSeconds);
        Assert.Equal(120, last60.TotalRequestsInWindow);
        Assert.Equal(2, last60.RequestsPerSecond, 6);
        Assert.Equal(80, last60.TokenThroughput.TokensPerSecond, 6);
        Assert.Equal(20, last60.TokenThroughput.PromptTokensPerSecond, 6);
        Assert.Equal(60, last60.TokenThroughput.CompletionTokensPerSecond, 6);

        var last10 = _reporter.GetThroughputMetrics("openai", TimeSpan.FromSeconds(10));
        Assert.Equal(20, last10.TotalRequestsInWindow);
        Assert.Equal(2, last10.RequestsPerSecond, 6);
    }

    [Fact]
    public void Throughput_of_a_backend_younger_than_the_window_divides_by_its_age()
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 50; i++)
        {
            Request(1);
        }

        var throughput = _reporter.GetThroughputMetrics("openai");
        Assert.Equal(50, throughput.TotalRequestsInWindow);
        Assert.Equal(5, throughput.RequestsPerSecond, 6);
    }

    [Fact]
    public void Throughput_window_must_be_positive_and_at_most_fifteen_minutes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _reporter.GetThroughputMetrics("openai", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => _reporter.GetThroughputMetrics("openai", TimeSpan.FromMinutes(16)));
    }

    [Fact]
    public void Reset_clears_what_was_recorded_but_keeps_live_queue_and_circuit_state()
    {
        Request(10, model: "m", prompt: 1);
        var queue = new QueueState(waiting: 0, active: 1);
        var admissions = _collector.ObserveQueue(_openai, queue);
        admissions.Increment();
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Started, 0, TimeSpan.FromMilliseconds(40)));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(_openai, CircuitState.Open));
        _time.Advance(TimeSpan.FromSeconds(5));

        _reporter.ResetMetrics("openai");
        _time.Advance(TimeSpan.FromSeconds(2));

        var report = _reporter.GetMetricsReport("openai");
        Assert.Equal(0, report.TotalRequests);
        Assert.Empty(report.Models);
        Assert.Equal(0, report.TokenCounts.Prompt);
        Assert.Equal(0, report.Latency.Count);
        Assert.Equal(1, report.Queue.ActiveRequests);
        Assert.Equal(0, report.Queue.AvgQueueTimeMs);   // the admission before the reset is not counted after it
        admissions.Increment();
        admissions.Increment();
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Started, 0, TimeSpan.FromMilliseconds(30)));
        Assert.Equal(15, _reporter.GetQueueMetrics("openai").AvgQueueTimeMs, 6);
        GC.KeepAlive(queue);
        Assert.Equal(CircuitState.Open, report.CircuitBreaker.CurrentState);
        Assert.Equal(0, report.CircuitBreaker.OpenCircuitCount);
        Assert.Equal(2, report.CircuitBreaker.StateTimeSeconds["OPEN"], 6);
    }

    [Fact]
    public void Reset_of_all_backends_clears_each()
    {
        var other = _collector.RegisterBackend("ollama");
        Request(1);
        Request(1, backend: other);

        _reporter.ResetMetrics();

        Assert.Equal(0, _reporter.GetMetricsReport("openai").TotalRequests);
        Assert.Equal(0, _reporter.GetMetricsReport("ollama").TotalRequests);
    }

    [Fact]
    public void The_reset_interval_resets_periodically_on_the_time_provider()
    {
        var key = _collector.RegisterBackend("tgi", new BackendRegistration { MetricsResetInterval = TimeSpan.FromMinutes(1) });
        Request(1, backend: key);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(1, _reporter.GetMetricsReport("tgi").TotalRequests);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _reporter.GetMetricsReport("tgi").TotalRequests);

        Request(1, backend: key);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, _reporter.GetMetricsReport("tgi").TotalRequests);
    }

    [Fact]
    public void An_unregistered_backend_reports_zeros()
    {
        var report = _reporter.GetMetricsReport("never-seen");
        Assert.Equal("never-seen", report.Backend);
        Assert.Equal(0, report.TotalRequests);
        Assert.Equal(0, report.SuccessRate);
        Assert.Equal(CircuitState.Closed, report.CircuitBreaker.CurrentState);
        Assert.DoesNotContain("never-seen", _reporter.Backends);
    }

    [Fact]
    public void Traces_are_kept_newest_first_and_bounded_by_the_window_size()
    {
        var key = _collector.RegisterBackend("tei", new BackendRegistration { MetricsWindowSize = 3 });
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _collector.RecordRequest(new RequestCompleted(key)
            {
                Succeeded = true,
                Trace = new RequestTrace { TraceId = $"t{i}", Backend = "tei", Success = true, EndTime = _time.GetUtcNow() },
            });
        }

        Assert.Equal(["t4", "t3", "t2"], _reporter.GetRecentTraces(10).Select(t => t.TraceId));
        Assert.Equal(["t4"], _reporter.GetRecentTraces(1, "tei").Select(t => t.TraceId));
        Assert.Empty(_reporter.GetRecentTraces(10, "openai"));
        Assert.Empty(_reporter.GetRecentTraces(0));
        Assert.Equal("t3", _reporter.GetTrace("t3")?.TraceId);
        Assert.Null(_reporter.GetTrace("t0"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _reporter.GetRecentTraces(-1));
    }

    [Fact]
    public void Registering_a_name_twice_returns_the_same_backend()
    {
        var again = _collector.RegisterBackend("openai");
        Assert.Equal(_openai, again);
        Assert.Single(_reporter.Backends);
    }

    [Fact]
    public void Totals_are_exact_when_many_threads_record_at_once()
    {
        const int threads = 8;
        const int perThread = 50_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                var ok = i % 4 != 0;
                Request(i % 100, ok: ok, model: t % 2 == 0 ? "a" : "b", category: ErrorCategory.ServiceUnavailable, errorType: "503", prompt: 1, completion: 2);
            }
        });

        var report = _reporter.GetMetricsReport("openai");
        Assert.Equal(threads * perThread, report.TotalRequests);
        Assert.Equal(threads * perThread / 4, report.Failures);
        Assert.Equal(threads * perThread, report.Latency.Count);
        Assert.Equal(new TokenCounts(threads * perThread, 2L * threads * perThread), report.TokenCounts);
        Assert.Equal(report.TotalRequests, report.Models.Values.Sum(m => m.Requests));
        Assert.Equal(report.Failures, report.Errors.ErrorTypes["503"]);
    }

    [Fact]
    public void A_queue_nothing_uses_any_more_drops_out_of_the_live_counts_but_its_admissions_stay_counted()
    {
        // Admitted but never read before the queue went: the count lives in the collector, not in the queue.
        ObserveTemporaryQueue();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _collector.RecordQueue(new QueueEvent(_openai, QueueEventKind.Started, 0, TimeSpan.FromMilliseconds(70)));

        var queue = _reporter.GetQueueMetrics("openai");
        Assert.Equal(0, queue.CurrentQueueSize);
        Assert.Equal(0, queue.ActiveRequests);
        Assert.Equal(10, queue.AvgQueueTimeMs, 6);       // 70 ms over the gone queue's 7 admissions
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ObserveTemporaryQueue()
    {
        var admissions = _collector.ObserveQueue(_openai, new QueueState(waiting: 7, active: 7));
        for (var i = 0; i < 7; i++)
        {
            admissions.Increment();
        }
    }

    private sealed class QueueState(int waiting, int active) : IQueueState
    {
        public int CurrentQueueSize => waiting;

        public int ActiveRequests => active;
    }
}
