using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Resilience.Metrics.Tests.Alerts;

public sealed class AlertMonitorTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly AlertTestBackends _backends = new();
    private readonly IAlertSink _sink = Substitute.For<IAlertSink>();
    private readonly FakeLogger _logger = new();

    public void Dispose() => _backends.Dispose();

    private AlertMonitor Monitor(ApiMonitoringAlertOptions? options = null, params IAlertSink[] sinks) =>
        new(_backends.Reporter, sinks.Length == 0 ? [_sink] : sinks, options ?? new ApiMonitoringAlertOptions(), _backends.Time, _logger);

    internal static List<Alert> Sent(IAlertSink sink) =>
        [.. sink.ReceivedCalls()
            .Where(call => call.GetMethodInfo().Name == nameof(IAlertSink.SendAsync))
            .Select(call => (Alert)call.GetArguments()[0]!)];

    /// <summary>Checks once a minute, as the hosted service does, and returns every alert those checks sent.</summary>
    private async Task<List<Alert>> CheckEachMinute(AlertMonitor monitor, int minutes)
    {
        var sent = new List<Alert>();
        for (var i = 0; i < minutes; i++)
        {
            _backends.Time.Advance(Minute);
            sent.AddRange(await monitor.CheckNowAsync());
        }

        return sent;
    }

    [Fact]
    public async Task An_error_rate_alert_fires_once_stays_quiet_while_high_and_resolves_once()
    {
        var openai = _backends.Register("openai");

        // A window longer than the test: the error rate is the one of every request so far.
        using var monitor = Monitor(new ApiMonitoringAlertOptions { Window = TimeSpan.FromMinutes(15) });
        _backends.Requests(openai, 90);
        _backends.Requests(openai, 10, succeeded: false);   // 10 % > 5 %

        var whileHigh = await CheckEachMinute(monitor, 4);
        var firedAt = _backends.Time.GetUtcNow() - (3 * Minute);

        var fired = Assert.Single(whileHigh);
        Assert.Equal(
            new Alert
            {
                Backend = "openai",
                Rule = AlertRule.ErrorRate,
                State = AlertState.Firing,
                Value = 0.1,
                Threshold = 0.05,
                Timestamp = firedAt,
                Message = "High error rate: 10.00%",
            },
            fired);
        Assert.Equal("error_rate", fired.RuleName);
        Assert.Equal([fired], monitor.ActiveAlerts);

        _backends.Requests(openai, 110);   // 10 of 210: 4.76 %
        var afterRecovery = await CheckEachMinute(monitor, 3);

        var resolved = Assert.Single(afterRecovery);
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Equal(AlertRule.ErrorRate, resolved.Rule);
        Assert.Equal(10.0 / 210, resolved.Value, 12);
        Assert.Equal("Error rate back to normal: 4.76% (threshold 5.00%)", resolved.Message);
        Assert.Equal(_backends.Time.GetUtcNow() - (2 * Minute), resolved.Timestamp);
        Assert.Empty(monitor.ActiveAlerts);
        Assert.Equal([fired, resolved], Sent(_sink));
    }

    [Fact]
    public async Task A_P95_latency_alert_fires_above_the_threshold_with_the_guides_message_and_resolves_after_a_reset()
    {
        var claude = _backends.Register("claude");
        using var monitor = Monitor();
        _backends.Requests(claude, 100, latencyMs: 900);

        Assert.Empty(await CheckEachMinute(monitor, 1));

        _backends.Requests(claude, 100, latencyMs: 1234);   // p95 = sorted[190] = 1234 ms
        var fired = Assert.Single(await CheckEachMinute(monitor, 2));

        Assert.Equal(("claude", AlertRule.P95Latency, AlertState.Firing), (fired.Backend, fired.Rule, fired.State));
        Assert.Equal(1234, fired.Value, 1234 * 0.01);
        Assert.Equal(1000, fired.Threshold);
        Assert.Equal(FormattableString.Invariant($"High P95 latency: {fired.Value:F2}ms"), fired.Message);
        Assert.Matches(@"^High P95 latency: 12[0-9]{2}\.[0-9]{2}ms$", fired.Message);

        _backends.Reporter.ResetMetrics("claude");
        var resolved = Assert.Single(await CheckEachMinute(monitor, 2));

        Assert.Equal(("claude", AlertRule.P95Latency, AlertState.Resolved), (resolved.Backend, resolved.Rule, resolved.State));
        Assert.Equal("P95 latency back to normal: 0.00ms (threshold 1000.00ms)", resolved.Message);
    }

    [Fact]
    public async Task A_queue_size_alert_fires_only_above_the_threshold_and_resolves_at_it()
    {
        var ollama = _backends.Register("ollama");
        using var monitor = Monitor();
        _backends.Enqueue(ollama, 50);

        Assert.Empty(await CheckEachMinute(monitor, 2));   // 50 is not more than 50

        _backends.Enqueue(ollama, 10);
        var fired = Assert.Single(await CheckEachMinute(monitor, 3));
        Assert.Equal(("ollama", AlertRule.QueueSize, AlertState.Firing, 60.0, 50.0), (fired.Backend, fired.Rule, fired.State, fired.Value, fired.Threshold));
        Assert.Equal("Large queue size: 60", fired.Message);
        Assert.Equal("queue_size", fired.RuleName);

        _backends.Dequeue(ollama, 10);
        var resolved = Assert.Single(await CheckEachMinute(monitor, 3));
        Assert.Equal(("ollama", AlertRule.QueueSize, AlertState.Resolved, 50.0), (resolved.Backend, resolved.Rule, resolved.State, resolved.Value));
        Assert.Equal("Queue size back to normal: 50 (threshold 50)", resolved.Message);
    }

    [Fact]
    public async Task Each_backend_and_rule_keeps_its_own_alert_state()
    {
        var openai = _backends.Register("openai");
        var groq = _backends.Register("groq");
        var gemini = _backends.Register("gemini");
        using var monitor = Monitor();
        _backends.Requests(openai, 9);
        _backends.Requests(openai, 1, succeeded: false);    // 10 %
        _backends.Requests(groq, 100);                      // 0 %
        _backends.Requests(gemini, 100);
        _backends.Enqueue(gemini, 51);

        var first = await CheckEachMinute(monitor, 2);

        Assert.Equal(
            [("openai", AlertRule.ErrorRate, AlertState.Firing), ("gemini", AlertRule.QueueSize, AlertState.Firing)],
            first.Select(a => (a.Backend, a.Rule, a.State)));

        _backends.Requests(openai, 90);                     // 1 %: resolves
        _backends.Requests(groq, 20, succeeded: false);     // 16.7 %: fires
        var second = await CheckEachMinute(monitor, 2);

        Assert.Equal(
            [("openai", AlertRule.ErrorRate, AlertState.Resolved), ("groq", AlertRule.ErrorRate, AlertState.Firing)],
            second.Select(a => (a.Backend, a.Rule, a.State)));
        Assert.Equal(
            [("gemini", AlertRule.QueueSize), ("groq", AlertRule.ErrorRate)],
            monitor.ActiveAlerts.Select(a => (a.Backend, a.Rule)).Order());
    }

    [Fact]
    public async Task Configured_thresholds_replace_the_guides_defaults()
    {
        var tgi = _backends.Register("tgi");
        using var monitor = Monitor(new ApiMonitoringAlertOptions { ErrorRate = 0.2, P95Latency = TimeSpan.FromMilliseconds(50), QueueSize = 5 });
        _backends.Requests(tgi, 9, latencyMs: 80);
        _backends.Requests(tgi, 1, succeeded: false, latencyMs: 80);   // 10 % < 20 %
        _backends.Enqueue(tgi, 6);

        var sent = await CheckEachMinute(monitor, 1);

        Assert.Equal([AlertRule.P95Latency, AlertRule.QueueSize], sent.Select(a => a.Rule));
        Assert.Equal([50.0, 5.0], sent.Select(a => a.Threshold));
    }

    [Fact]
    public async Task A_throwing_sink_stops_neither_the_other_sinks_nor_later_checks_and_is_logged_and_counted()
    {
        var openai = _backends.Register("openai");
        var throwing = Substitute.For<IAlertSink>();
        var faulting = Substitute.For<IAlertSink>();
#pragma warning disable CA2012 // NSubstitute's configuration calls: the ValueTasks are never consumed.
        throwing.SendAsync(Arg.Any<Alert>(), Arg.Any<CancellationToken>())
            .Throws(new InvalidOperationException("POST https://hooks.example/T0/B0?token=secret-token failed"));
        faulting.SendAsync(Arg.Any<Alert>(), Arg.Any<CancellationToken>())
            .Returns(_ => ValueTask.FromException(new HttpRequestException("secret-token")));
#pragma warning restore CA2012
        using var monitor = Monitor(null, throwing, faulting, _sink);
        _backends.Requests(openai, 1, succeeded: false);

        var fired = Assert.Single(await CheckEachMinute(monitor, 2));

        Assert.Equal([fired], Sent(_sink));
        Assert.Equal(2, monitor.SinkFailures);

        _backends.Requests(openai, 99);
        var resolved = Assert.Single(await CheckEachMinute(monitor, 2));

        Assert.Equal([fired, resolved], Sent(_sink));
        Assert.Equal([fired, resolved], Sent(throwing));
        Assert.Equal(4, monitor.SinkFailures);
        var failures = _logger.Collector.GetSnapshot().Where(r => r.Id.Id == 11).ToList();
        Assert.Equal(4, failures.Count);
        Assert.All(failures, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.Contains(failures, r => r.Message.Contains("InvalidOperationException", StringComparison.Ordinal) && r.Message.Contains("openai", StringComparison.Ordinal));
        Assert.Contains(failures, r => r.Message.Contains("HttpRequestException", StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Message.Contains("secret", StringComparison.Ordinal) || r.Exception is not null);
    }

    [Fact]
    public async Task A_check_whose_figures_fail_to_read_changes_no_state_so_the_next_check_sends_the_alert()
    {
        var reporter = Substitute.For<IMetricsReporter>();
        reporter.Backends.Returns(["openai", "groq"]);
        reporter.GetErrorMetrics(Arg.Any<string>()).Returns(call => new ErrorMetrics
        {
            ErrorRate = call.Arg<string>() == "openai" ? 0.5 : 0,
            ErrorTypes = new Dictionary<string, long>(),
            ErrorCategories = new Dictionary<string, long>(),
        });
        reporter.GetLatencyMetrics(Arg.Any<string>()).Returns(new LatencyMetrics { Percentiles = new Dictionary<string, double> { ["95"] = 10 } });
        reporter.GetWindowMetrics(Arg.Any<string>(), Arg.Any<TimeSpan>()).Returns(call => Window(call.Arg<string>() == "openai" ? 0.5 : 0, 10));
        reporter.GetCircuitBreakerMetrics(Arg.Any<string>()).Returns(Closed);
        reporter.GetQueueMetrics("openai").Returns(new QueueMetrics());
        reporter.GetQueueMetrics("groq").Returns(_ => throw new InvalidOperationException("boom"), _ => new QueueMetrics());
        using var monitor = new AlertMonitor(reporter, [_sink], new ApiMonitoringAlertOptions(), _backends.Time, _logger);

        await Assert.ThrowsAsync<InvalidOperationException>(() => monitor.CheckNowAsync());
        Assert.Empty(Sent(_sink));
        Assert.Empty(monitor.ActiveAlerts);

        var fired = Assert.Single(await monitor.CheckNowAsync());
        Assert.Equal(("openai", AlertRule.ErrorRate, AlertState.Firing), (fired.Backend, fired.Rule, fired.State));
        Assert.Equal([fired], Sent(_sink));
    }

    internal static WindowMetrics Window(double errorRate, double p95) => new()
    {
        ErrorRate = errorRate,
        Percentiles = new Dictionary<string, double> { ["95"] = p95 },
        ErrorCategories = new Dictionary<string, long>(),
    };

    internal static CircuitBreakerMetrics Closed { get; } = new()
    {
        CurrentState = CircuitState.Closed,
        StateTimeSeconds = new Dictionary<string, double>(),
        StateChanges = [],
    };

    [Fact]
    public async Task After_hours_of_healthy_traffic_an_outage_fires_at_the_next_check_and_resolves_within_one_window()
    {
        var openai = _backends.Register("openai");
        using var monitor = Monitor(new ApiMonitoringAlertOptions { P95Latency = TimeSpan.FromMilliseconds(200) });

        // Ten hours healthy, ten requests a second, checked each minute.
        var sent = new List<Alert>();
        for (var minute = 0; minute < 600; minute++)
        {
            sent.AddRange(await TrafficMinute(monitor, openai, failing: false, latencyMs: 100));
        }

        Assert.Empty(sent);

        // Two minutes of 50 % failures at three times the latency: both alerts fire at the first check of the outage,
        // although since start under 1 % failed and the since-start P95 is still 100 ms.
        var outage = await TrafficMinute(monitor, openai, failing: true, latencyMs: 300);
        Assert.Equal([AlertRule.ErrorRate, AlertRule.P95Latency], outage.Select(a => a.Rule).Order());
        Assert.Equal(0.1, outage.Single(a => a.Rule == AlertRule.ErrorRate).Value, 2);   // 300 failures in the window's 3,000 requests
        Assert.Empty(await TrafficMinute(monitor, openai, failing: true, latencyMs: 300));
        Assert.True(_backends.Reporter.GetErrorMetrics("openai").ErrorRate < 0.01);
        Assert.Equal(100, _backends.Reporter.GetLatencyMetrics("openai").Percentiles["95"], 1.0);

        // Healthy again: both resolve once the outage has left the 5 minute window, not later.
        var recovery = new List<(int Minute, Alert Alert)>();
        for (var minute = 1; minute <= 10; minute++)
        {
            recovery.AddRange((await TrafficMinute(monitor, openai, failing: false, latencyMs: 100)).Select(a => (minute, a)));
        }

        Assert.Equal([AlertRule.ErrorRate, AlertRule.P95Latency], recovery.Select(r => r.Alert.Rule).Order());
        Assert.All(recovery, r => Assert.Equal(AlertState.Resolved, r.Alert.State));
        Assert.All(recovery, r => Assert.Equal(5, r.Minute));
        Assert.Empty(monitor.ActiveAlerts);
    }

    // One minute of ten requests a second (every other one failing when failing), then a check.
    private async Task<List<Alert>> TrafficMinute(AlertMonitor monitor, BackendKey backend, bool failing, double latencyMs)
    {
        for (var second = 0; second < 60; second++)
        {
            _backends.Requests(backend, failing ? 5 : 10, latencyMs: latencyMs);
            if (failing)
            {
                _backends.Requests(backend, 5, succeeded: false, latencyMs: latencyMs);
            }

            _backends.Time.Advance(TimeSpan.FromSeconds(1));
        }

        return [.. await monitor.CheckNowAsync()];
    }

    [Fact]
    public async Task An_open_circuit_alert_resolves_when_its_break_elapses_without_any_request()
    {
        var groq = _backends.Register("groq");
        using var monitor = Monitor();
        _backends.Collector.RecordCircuitStateChange(new CircuitStateChanged(groq, CircuitState.Open) { BreakDuration = TimeSpan.FromSeconds(90) });

        var sent = await CheckEachMinute(monitor, 3);

        Assert.Equal([(AlertRule.CircuitOpen, AlertState.Firing), (AlertRule.CircuitOpen, AlertState.Resolved)], sent.Select(a => (a.Rule, a.State)));
        Assert.Equal("circuit_open", sent[0].RuleName);
        Assert.Equal("Circuit breaker open", sent[0].Message);
        Assert.Equal(_backends.Time.GetUtcNow() - Minute, sent[1].Timestamp);
    }

    [Fact]
    public async Task Concurrent_checks_send_a_crossing_once()
    {
        var openai = _backends.Register("openai");
        using var monitor = Monitor();
        _backends.Requests(openai, 1, succeeded: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => monitor.CheckNowAsync())));

        Assert.Single(results.SelectMany(r => r));
        Assert.Single(Sent(_sink));
    }

    [Fact]
    public async Task LastCheck_is_the_time_of_the_last_finished_check()
    {
        using var monitor = Monitor();
        Assert.Null(monitor.LastCheck);

        await CheckEachMinute(monitor, 2);

        Assert.Equal(_backends.Time.GetUtcNow(), monitor.LastCheck);
    }

    [Fact]
    public async Task The_log_sink_warns_when_firing_and_informs_when_resolved_with_figures_only()
    {
        var sink = new LoggerAlertSink(_logger);
        var firing = new Alert
        {
            Backend = "openai",
            Rule = AlertRule.ErrorRate,
            State = AlertState.Firing,
            Value = 0.075,
            Threshold = 0.05,
            Timestamp = _backends.Time.GetUtcNow(),
            Message = "High error rate: 7.50%",
        };

        await sink.SendAsync(firing, CancellationToken.None);
        await sink.SendAsync(firing with { State = AlertState.Resolved, Value = 0.01 }, CancellationToken.None);

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal([LogLevel.Warning, LogLevel.Information], records.Select(r => r.Level));
        Assert.All(records, r => Assert.Equal(10, r.Id.Id));
        Assert.Equal("Alert error_rate of backend openai is Firing: value 0.075, threshold 0.05", records[0].Message);
        Assert.Equal("Alert error_rate of backend openai is Resolved: value 0.01, threshold 0.05", records[1].Message);
    }

    [Theory]
    [InlineData(AlertRule.ErrorRate, "error_rate")]
    [InlineData(AlertRule.P95Latency, "p95_latency")]
    [InlineData(AlertRule.QueueSize, "queue_size")]
    public void Rules_have_the_guides_snake_case_names(AlertRule rule, string name) => Assert.Equal(name, rule.ToName());
}
