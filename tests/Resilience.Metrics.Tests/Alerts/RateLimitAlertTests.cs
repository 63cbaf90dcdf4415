using Microsoft.Extensions.Logging.Testing;
using NSubstitute;

namespace Resilience.Metrics.Tests.Alerts;

public sealed class RateLimitAlertTests : IDisposable
{
    private readonly AlertTestBackends _backends = new();
    private readonly IAlertSink _sink = Substitute.For<IAlertSink>();

    public void Dispose() => _backends.Dispose();

    private AlertMonitor Monitor(ApiMonitoringAlertOptions? options = null) =>
        new(_backends.Reporter, [_sink], options ?? new ApiMonitoringAlertOptions(), _backends.Time, new FakeLogger());

    /// <summary>What a response's headers would store: limit, remaining and a reset <paramref name="resetIn"/> from now.</summary>
    private void Observe(BackendKey backend, RateLimitKind kind, long limit, long remaining, TimeSpan resetIn)
    {
        var now = _backends.Time.GetUtcNow().UtcTicks;
        _backends.Collector.Get(backend).RateLimits[kind].Write(limit, remaining, now + resetIn.Ticks, now);
    }

    [Fact]
    public async Task Low_headroom_fires_once_and_resolves_once_when_the_limit_recovers()
    {
        var openai = _backends.Register("openai");
        using var monitor = Monitor();
        Observe(openai, RateLimitKind.Requests, 10000, 9000, TimeSpan.FromMinutes(5));
        Observe(openai, RateLimitKind.Tokens, 2000000, 150000, TimeSpan.FromMinutes(5));   // 7.5 % left

        var fired = Assert.Single(await monitor.CheckNowAsync());
        var quiet = await monitor.CheckNowAsync();
        Observe(openai, RateLimitKind.Tokens, 2000000, 1900000, TimeSpan.FromMinutes(5));   // the lowest is now requests, 90 %
        var resolved = Assert.Single(await monitor.CheckNowAsync());

        Assert.Equal((AlertRule.RateLimitHeadroom, AlertState.Firing, 0.075, 0.1), (fired.Rule, fired.State, fired.Value, fired.Threshold));
        Assert.Equal("rate_limit_headroom", fired.RuleName);
        Assert.Equal("Low rate-limit headroom: 7.50% left", fired.Message);
        Assert.Empty(quiet);
        Assert.Equal((AlertRule.RateLimitHeadroom, AlertState.Resolved, 0.9), (resolved.Rule, resolved.State, resolved.Value));
        Assert.Empty(monitor.ActiveAlerts);
    }

    [Fact]
    public async Task A_window_that_has_reset_resolves_the_alert_without_another_response()
    {
        var groq = _backends.Register("groq");
        using var monitor = Monitor(new ApiMonitoringAlertOptions { RateLimitHeadroom = 0.2 });
        Observe(groq, RateLimitKind.Requests, 100, 10, TimeSpan.FromSeconds(30));

        Assert.Equal(AlertState.Firing, Assert.Single(await monitor.CheckNowAsync()).State);
        _backends.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(AlertState.Resolved, Assert.Single(await monitor.CheckNowAsync()).State);
    }

    [Fact]
    public async Task Exactly_at_the_threshold_or_without_headers_nothing_fires()
    {
        var anthropic = _backends.Register("anthropic");
        _backends.Register("ollama");
        using var monitor = Monitor();
        Observe(anthropic, RateLimitKind.OutputTokens, 80000, 8000, TimeSpan.FromMinutes(1));

        Assert.Empty(await monitor.CheckNowAsync());
    }

    [Fact]
    public void The_threshold_is_validated() =>
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Monitor(new ApiMonitoringAlertOptions { RateLimitHeadroom = 1.5 }));
}
