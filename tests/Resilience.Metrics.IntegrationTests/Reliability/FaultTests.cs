using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NSubstitute;
using Polly;
using Polly.CircuitBreaker;
using Polly.Simmy;

namespace Resilience.Metrics.IntegrationTests.Reliability;

public class FaultTests
{
    [Fact]
    public async Task Under_injected_chaos_every_caller_sees_the_real_outcome_and_no_event_is_lost()
    {
        using var collector = new MetricsCollector();
        var reporter = new MetricsReporter(collector);
        var outage = false;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring("chaos", collector, o =>
            {
                o.Queue.MaxConcurrentRequests = 8;
                o.Queue.QueueSize = 10_000;
                o.Retry.MaxRetries = 2;
                o.Retry.InitialRetryDelay = TimeSpan.Zero;
                o.CircuitBreaker.FailureThreshold = 10;
                o.CircuitBreaker.ResetTimeout = TimeSpan.FromMilliseconds(500);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromMilliseconds(500);
            })
            .AddChaosFault(0.3, () => new HttpRequestException(HttpRequestError.ConnectionError, "injected reset"))
            .AddChaosOutcome(0.3, () => new HttpResponseMessage(HttpStatusCode.InternalServerError))
            .AddChaosLatency(0.3, TimeSpan.FromMilliseconds(1))
            .Build();
        long succeeded = 0, failedResponses = 0, exceptions = 0, rejected = 0, sameInstance = 0;

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var outages = Task.Run(async () =>
        {
            // Outages long enough to open the circuit, then recovery so it closes again.
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(1200, CancellationToken.None);
                outage = !outage;
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpResponseMessage? sent = null;
                try
                {
                    using var response = await pipeline.ExecuteAsync(_ =>
                    {
                        sent = new HttpResponseMessage(Volatile.Read(ref outage) ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
                        return ValueTask.FromResult(sent);
                    });
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref succeeded : ref failedResponses);
                    if (ReferenceEquals(response, sent))
                    {
                        Interlocked.Increment(ref sameInstance);
                    }
                }
                catch (BrokenCircuitException)
                {
                    Interlocked.Increment(ref rejected);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref exceptions);
                }
            }
        })));
        await outages;

        var report = reporter.GetMetricsReport("chaos");
        Assert.True(succeeded > 100 && failedResponses > 0 && exceptions > 0 && rejected > 0, $"{succeeded} ok, {failedResponses} failed, {exceptions} thrown, {rejected} rejected");
        Assert.Equal(succeeded + failedResponses + exceptions + rejected, report.TotalRequests);
        Assert.Equal(succeeded, report.Successes);
        Assert.Equal(failedResponses + exceptions + rejected, report.Failures);
        Assert.Equal(rejected, report.Errors.ErrorTypes["BrokenCircuitException"]);
        Assert.True(sameInstance >= succeeded, "a caller got a response the backend did not send");

        var circuit = report.CircuitBreaker;
        Assert.True(circuit.OpenCircuitCount >= 1);
        Assert.Equal(report.UptimeSeconds, circuit.StateTimeSeconds.Values.Sum(), report.UptimeSeconds * 0.01);
        Assert.Equal(0, report.MonitoringErrors);
    }

    [Fact]
    public async Task A_collector_that_throws_never_breaks_a_request_and_the_fault_is_logged_and_counted()
    {
        using var real = new MetricsCollector();
        var broken = Substitute.For<IMetricsCollector>();
        broken.TimeProvider.Returns(TimeProvider.System);
        broken.RegisterBackend(default!).ReturnsForAnyArgs(call => real.RegisterBackend(call.ArgAt<string>(0)));
        broken.WhenForAnyArgs(c => c.RecordRequest(default)).Throw(new InvalidOperationException("collector bug"));
        broken.WhenForAnyArgs(c => c.RecordCircuitAttempt(default, default)).Throw(new InvalidOperationException("collector bug"));
        broken.WhenForAnyArgs(c => c.RecordMonitoringError(default)).Do(call => real.RecordMonitoringError(call.Arg<BackendKey>()));
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring("fragile", broken, loggerFactory: loggerFactory)
            .Build();
        using var sent = new HttpResponseMessage(HttpStatusCode.OK);

        for (var i = 0; i < 10; i++)
        {
            var received = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(sent), TestContext.Current.CancellationToken);
            Assert.Same(sent, received);
        }

        // Per request: the breaker's attempt and the request itself (a request admitted at once sends no queue event).
        Assert.Equal(20, new MetricsReporter(real).GetMetricsReport("fragile").MonitoringErrors);
        Assert.Contains(logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains("fragile", StringComparison.Ordinal) && l.Message.Contains("InvalidOperationException", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.GetSnapshot(), l => l.Message.Contains("collector bug", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throwing_alert_sink_never_stops_the_checks_or_the_other_sinks()
    {
        var good = Substitute.For<IAlertSink>();
        var bad = new ThrowingSink();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IAlertSink>(bad);
        services.AddSingleton<IAlertSink>(good);
        services.AddApiMonitoringAlerts(o => o.ErrorRate = 0.1);
        await using var provider = services.BuildServiceProvider();
        var collector = provider.GetRequiredService<IMetricsCollector>();
        var key = collector.RegisterBackend("alerted");
        collector.RecordRequest(new RequestCompleted(key) { Succeeded = false, ErrorCategory = ErrorCategory.Network });
        var monitor = provider.GetRequiredService<IAlertMonitor>();

        await monitor.CheckNowAsync(TestContext.Current.CancellationToken);
        collector.RecordRequest(new RequestCompleted(key) { Succeeded = false, ErrorCategory = ErrorCategory.Network });
        await monitor.CheckNowAsync(TestContext.Current.CancellationToken);

        await good.Received(1).SendAsync(Arg.Is<Alert>(a => a.Backend == "alerted" && a.State == AlertState.Firing), Arg.Any<CancellationToken>());
        Assert.True(monitor.SinkFailures >= 1);
        Assert.NotNull(monitor.LastCheck);
    }

    private sealed class ThrowingSink : IAlertSink
    {
        public ValueTask SendAsync(Alert alert, CancellationToken cancellationToken) => throw new InvalidOperationException("webhook down");
    }
}
