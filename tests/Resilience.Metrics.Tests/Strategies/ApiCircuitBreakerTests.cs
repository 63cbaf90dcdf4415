using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace Resilience.Metrics.Tests.Strategies;

public sealed class ApiCircuitBreakerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;
    private readonly FakeLogger _logger = new();

    public ApiCircuitBreakerTests()
    {
        _collector = new MetricsCollector(_time);
        ApiMonitoringTelemetry.Publish(_collector);
        _reporter = new MetricsReporter(_collector);
    }

    public void Dispose() => _collector.Dispose();

    [Fact]
    public async Task An_idle_circuit_whose_break_elapsed_reports_half_open_everywhere()
    {
        var backend = _collector.RegisterBackend("idle-anthropic", new BackendRegistration { FailureThreshold = 2 });
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddApiRequestMonitoring(backend, _collector, new RequestMonitoringStrategyOptions())
            .AddApiCircuitBreaker(backend, _collector, new ApiCircuitBreakerStrategyOptions { FailureThreshold = 2, ResetTimeout = TimeSpan.FromSeconds(5) }, _logger)
            .Build();
        for (var i = 0; i < 2; i++)
        {
            (await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)))).Dispose();
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(CircuitState.Open, _reporter.GetCircuitBreakerMetrics("idle-anthropic").CurrentState);

        // No request arrives, so Polly stays open; but its break is over and it would admit a trial.
        _time.Advance(TimeSpan.FromSeconds(25));
        var circuit = _reporter.GetCircuitBreakerMetrics("idle-anthropic");
        Assert.Equal(CircuitState.HalfOpen, circuit.CurrentState);
        Assert.Equal(5, circuit.StateTimeSeconds["OPEN"], 6);
        Assert.Equal(24, circuit.StateTimeSeconds["HALF-OPEN"], 6);
        Assert.Contains("api_circuit_state{api=\"idle-anthropic\"} 1\n", _reporter.GetPrometheusMetrics(), StringComparison.Ordinal);
        Assert.Contains("Current Circuit State: HALF-OPEN", _reporter.GetAsciiReport("idle-anthropic"), StringComparison.Ordinal);
        Assert.Equal("HALF-OPEN", OpenTelemetryCircuitState("idle-anthropic"));

        // The trial succeeds: Polly's own transitions follow, and the times stay consistent.
        (await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK)))).Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        circuit = _reporter.GetCircuitBreakerMetrics("idle-anthropic");
        Assert.Equal(CircuitState.Closed, circuit.CurrentState);
        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], circuit.StateChanges.Select(c => c.State));
        Assert.Equal(24, circuit.StateTimeSeconds["HALF-OPEN"], 6);
        Assert.Equal(1, circuit.StateTimeSeconds["CLOSED"], 6);
    }

    // The state whose api.client.circuit.state gauge reads 1 for the backend (a name no other test uses: the listener
    // hears every collector's meter in the process).
    private static string? OpenTelemetryCircuitState(string backend)
    {
        string? current = null;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ApiMonitoringTelemetry.Name && instrument.Name == "api.client.circuit.state")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            string? api = null, state = null;
            foreach (var tag in tags)
            {
                api = tag.Key == "api.backend" ? (string?)tag.Value : api;
                state = tag.Key == "api.circuit.state" ? (string?)tag.Value : state;
            }

            if (api == backend && value == 1)
            {
                current = state;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return current;
    }

    [Fact]
    public void A_circuit_opened_by_hand_stays_open()
    {
        var backend = _collector.RegisterBackend("groq");
        _collector.RecordCircuitStateChange(new CircuitStateChanged(backend, CircuitState.Open));
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(CircuitState.Open, _reporter.GetCircuitBreakerMetrics("groq").CurrentState);
    }

    [Fact]
    public async Task The_circuit_opens_rejects_half_opens_and_closes_with_logged_and_timed_state_changes()
    {
        var backend = _collector.RegisterBackend("gemini", new BackendRegistration { FailureThreshold = 3 });
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddApiRequestMonitoring(backend, _collector, new RequestMonitoringStrategyOptions())
            .AddApiCircuitBreaker(backend, _collector, new ApiCircuitBreakerStrategyOptions { FailureThreshold = 3, ResetTimeout = TimeSpan.FromSeconds(30) }, _logger)
            .Build();
        var status = HttpStatusCode.ServiceUnavailable;
        var served = 0;
        ValueTask<HttpResponseMessage> Backend(CancellationToken _)
        {
            served++;
            return ValueTask.FromResult(new HttpResponseMessage(status));
        }

        for (var i = 0; i < 3; i++)
        {
            (await pipeline.ExecuteAsync(Backend)).Dispose();
        }

        Assert.Equal(CircuitState.Open, _reporter.GetCircuitBreakerMetrics("gemini").CurrentState);
        Assert.Equal(3, _reporter.GetCircuitBreakerMetrics("gemini").FailureCount);
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(Backend));
        Assert.Equal(3, served);
        Assert.Equal(3, _reporter.GetCircuitBreakerMetrics("gemini").FailureCount);   // the rejected attempt is not counted
        Assert.Equal(4, _reporter.GetErrorMetrics("gemini").ErrorCategories["service_unavailable"]);   // three 503s and one rejection

        _time.Advance(TimeSpan.FromSeconds(30));
        status = HttpStatusCode.OK;
        (await pipeline.ExecuteAsync(Backend)).Dispose();
        _time.Advance(TimeSpan.FromSeconds(10));

        var circuit = _reporter.GetCircuitBreakerMetrics("gemini");
        Assert.Equal(CircuitState.Closed, circuit.CurrentState);
        Assert.Equal(0, circuit.FailureCount);
        Assert.Equal(1, circuit.OpenCircuitCount);
        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], circuit.StateChanges.Select(c => c.State));
        Assert.Equal(30, circuit.StateTimeSeconds["OPEN"], 6);
        Assert.Equal(10, circuit.StateTimeSeconds["CLOSED"], 6);
        Assert.Equal(0, circuit.StateTimeSeconds["HALF-OPEN"], 6);

        var logs = _logger.Collector.GetSnapshot();
        Assert.Collection(logs,
            opened => { Assert.Equal(LogLevel.Warning, opened.Level); Assert.Contains("gemini", opened.Message); Assert.Contains("opened", opened.Message); Assert.Contains("503", opened.Message); },
            halfOpened => { Assert.Equal(LogLevel.Information, halfOpened.Level); Assert.Contains("half-opened", halfOpened.Message); },
            closed => { Assert.Equal(LogLevel.Information, closed.Level); Assert.Contains("closed", closed.Message); });
    }

    [Fact]
    public async Task Polly_options_can_be_passed_and_their_callbacks_still_run()
    {
        var backend = _collector.RegisterBackend("ollama");
        var opened = 0;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddApiCircuitBreaker(backend, _collector, new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                MinimumThroughput = 2,
                FailureRatio = 0.5,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.InternalServerError),
                OnOpened = _ => { opened++; return default; },
            })
            .Build();

        for (var i = 0; i < 2; i++)
        {
            (await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)))).Dispose();
        }

        Assert.Equal(1, opened);
        Assert.Equal(CircuitState.Open, _reporter.GetCircuitBreakerMetrics("ollama").CurrentState);
    }

    [Fact]
    public async Task Attempts_are_counted_when_the_predicate_completes_asynchronously()
    {
        var backend = _collector.RegisterBackend("tgi");
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddApiCircuitBreaker(backend, _collector, new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                MinimumThroughput = 10,
                ShouldHandle = async args =>
                {
                    await Task.Yield();
                    return args.Outcome.Result?.StatusCode == HttpStatusCode.BadGateway;
                },
            })
            .Build();

        (await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)))).Dispose();
        (await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)))).Dispose();
        Assert.Equal(2, _reporter.GetCircuitBreakerMetrics("tgi").FailureCount);

        (await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK)))).Dispose();
        Assert.Equal(0, _reporter.GetCircuitBreakerMetrics("tgi").FailureCount);
    }
}
