using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Resilience.Metrics.Tests.Alerts;

public sealed class AlertMonitorServiceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly Channel<Alert> _received = Channel.CreateUnbounded<Alert>();
    private readonly IAlertSink _sink = Substitute.For<IAlertSink>();

    public AlertMonitorServiceTests()
    {
#pragma warning disable CA2012 // NSubstitute's configuration call: the ValueTask is never consumed.
        _sink.SendAsync(Arg.Any<Alert>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            _received.Writer.TryWrite(call.Arg<Alert>());
            return ValueTask.CompletedTask;
        });
#pragma warning restore CA2012
    }

    private ServiceProvider Build(Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_time);
        more?.Invoke(services);
        services.AddApiMonitoringAlerts(o => o.CheckInterval = Interval);
        services.AddSingleton(_sink);
        return services.BuildServiceProvider();
    }

    private async Task<Alert> NextAlert()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Waits (in real time) until the check of the fake clock's current time has finished.</summary>
    private async Task CheckedNow(IAlertMonitor monitor)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (monitor.LastCheck != _time.GetUtcNow())
        {
            Assert.True(waited.Elapsed < Patience, "The hosted service did not check on the interval.");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task The_hosted_service_checks_every_interval_of_the_DI_clock_firing_once_and_resolving_once()
    {
        await using var provider = Build();
        var collector = provider.GetRequiredService<IMetricsCollector>();
        var monitor = provider.GetRequiredService<IAlertMonitor>();
        var openai = collector.RegisterBackend("openai");
        var service = Assert.Single(provider.GetServices<IHostedService>());
        for (var i = 0; i < 5; i++)
        {
            collector.RecordRequest(new RequestCompleted(openai) { Succeeded = i > 0, ErrorCategory = i > 0 ? ErrorCategory.None : ErrorCategory.Timeout, Attempts = 1 });
        }

        await service.StartAsync(TestContext.Current.CancellationToken);
        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Null(monitor.LastCheck);   // no tick yet, so no check

        _time.Advance(TimeSpan.FromSeconds(1));
        var fired = await NextAlert();

        Assert.Equal(("openai", AlertRule.ErrorRate, AlertState.Firing, 0.2), (fired.Backend, fired.Rule, fired.State, fired.Value));
        Assert.Equal(_time.GetUtcNow(), fired.Timestamp);

        for (var i = 0; i < 3; i++)
        {
            _time.Advance(Interval);
            await CheckedNow(monitor);
        }

        Assert.False(_received.Reader.TryRead(out _));   // still high: not sent again

        for (var i = 0; i < 95; i++)
        {
            collector.RecordRequest(new RequestCompleted(openai) { Succeeded = true, Attempts = 1 });
        }

        _time.Advance(Interval);
        var resolved = await NextAlert();
        await service.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("openai", AlertRule.ErrorRate, AlertState.Resolved, 0.01), (resolved.Backend, resolved.Rule, resolved.State, resolved.Value));
        Assert.Equal(2, AlertMonitorTests.Sent(_sink).Count);
    }

    [Fact]
    public async Task A_failed_check_is_logged_and_the_next_interval_checks_again()
    {
        var reporter = Substitute.For<IMetricsReporter>();
        reporter.Backends.Returns(_ => throw new InvalidOperationException("boom"), _ => ["groq"]);
        reporter.GetErrorMetrics("groq").Returns(new ErrorMetrics
        {
            ErrorRate = 0.5,
            ErrorTypes = new Dictionary<string, long>(),
            ErrorCategories = new Dictionary<string, long>(),
        });
        reporter.GetLatencyMetrics("groq").Returns(new LatencyMetrics { Percentiles = new Dictionary<string, double> { ["95"] = 10 } });
        reporter.GetWindowMetrics("groq", Arg.Any<TimeSpan>()).Returns(AlertMonitorTests.Window(0.5, 10));
        reporter.GetCircuitBreakerMetrics("groq").Returns(AlertMonitorTests.Closed);
        reporter.GetQueueMetrics("groq").Returns(new QueueMetrics());
        var logs = new FakeLogCollector();
        await using var provider = Build(services => services
            .AddSingleton(reporter)
            .AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(logs))));
        var service = Assert.Single(provider.GetServices<IHostedService>());

        await service.StartAsync(TestContext.Current.CancellationToken);
        _time.Advance(Interval);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!logs.GetSnapshot().Any(r => r.Id.Id == 12))
        {
            Assert.True(waited.Elapsed < Patience, "The failed check was not logged.");
            await Task.Delay(5);
        }

        _time.Advance(Interval);
        var fired = await NextAlert();
        await service.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", AlertRule.ErrorRate, AlertState.Firing), (fired.Backend, fired.Rule, fired.State));
        var failure = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 12);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("Alert check failed with InvalidOperationException; the next check runs in 00:01:00", failure.Message);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 10 && r.Level == LogLevel.Warning && r.Message.Contains("groq", StringComparison.Ordinal));
    }
}
