using Polly;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Resilience.Metrics.AspNetCore;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>The health check through the real <see cref="HealthCheckService"/>, on a fake clock.</summary>
public sealed class HealthCheckTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private ServiceProvider Build(Action<IHealthChecksBuilder> health)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_time);
        health(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }

    private static void Requests(MetricsCollector collector, BackendKey backend, int ok, int failed)
    {
        for (var i = 0; i < ok + failed; i++)
        {
            collector.RecordRequest(new RequestCompleted(backend)
            {
                Latency = TimeSpan.FromMilliseconds(100),
                Succeeded = i < ok,
                ErrorCategory = i < ok ? ErrorCategory.None : ErrorCategory.ServiceUnavailable,
                Attempts = 1,
            });
        }
    }

    private static IReadOnlyDictionary<string, object> Backend(HealthReport report, string backend) =>
        (IReadOnlyDictionary<string, object>)report.Entries["api-monitoring"].Data[backend];

    [Fact]
    public async Task An_open_circuit_alone_is_degraded_and_recovers_when_its_break_elapses()
    {
        await using var provider = Build(h => h.AddApiMonitoringHealthChecks());
        var collector = provider.GetRequiredService<MetricsCollector>();
        var health = provider.GetRequiredService<HealthCheckService>();
        var openai = collector.RegisterBackend("openai");
        collector.RegisterBackend("groq");
        Requests(collector, openai, ok: 100, failed: 0);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status);

        collector.RecordCircuitStateChange(new CircuitStateChanged(openai, CircuitState.Open) { BreakDuration = TimeSpan.FromSeconds(30) });
        var report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal("OPEN", Backend(report, "openai")["circuit"]);
        Assert.Equal("Degraded", Backend(report, "openai")["status"]);
        Assert.Equal("Healthy", Backend(report, "groq")["status"]);
        Assert.Equal(100L, Backend(report, "openai")["requests"]);

        // Idle: no request ever reaches Polly, yet the break is over and the circuit would admit a trial.
        _time.Advance(TimeSpan.FromSeconds(31));
        report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal("HALF-OPEN", Backend(report, "openai")["circuit"]);
        Assert.Equal(HealthStatus.Degraded, report.Status);

        collector.RecordCircuitStateChange(new CircuitStateChanged(openai, CircuitState.HalfOpen));
        collector.RecordCircuitStateChange(new CircuitStateChanged(openai, CircuitState.Closed));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task Low_rate_limit_headroom_is_degraded_with_the_headroom_in_the_data_until_the_window_resets()
    {
        await using var provider = Build(h => h.AddApiMonitoringHealthChecks());
        var collector = provider.GetRequiredService<MetricsCollector>();
        var health = provider.GetRequiredService<HealthCheckService>();
        collector.RegisterBackend("groq");
        var pipeline = new Polly.ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring("openai", collector, o => o.Resilience = ApiResilience.None)
            .Build();
        void Respond(string remaining)
        {
            using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            response.Headers.TryAddWithoutValidation("x-ratelimit-limit-tokens", "2000000");
            response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", remaining);
            response.Headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "6m0s");
            pipeline.Execute(static (HttpResponseMessage r, CancellationToken _) => r, response, TestContext.Current.CancellationToken);
        }

        Respond("1000000");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status);

        Respond("150000");
        var report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal("Degraded", Backend(report, "openai")["status"]);
        Assert.Equal("tokens", Backend(report, "openai")["rate_limit_kind"]);
        Assert.Equal(0.075, Backend(report, "openai")["rate_limit_headroom"]);
        Assert.Contains("7.5 % of its tokens rate limit left", report.Entries["api-monitoring"].Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", Backend(report, "groq")["status"]);

        // The window the provider announced has reset: full again, whatever the last response said.
        _time.Advance(TimeSpan.FromMinutes(6.5));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task The_registrations_failure_status_and_tags_are_honoured()
    {
        await using var provider = Build(h => h.AddApiMonitoringHealthChecks(o => o.OpenCircuitStatus = null, tags: ["ready"], failureStatus: HealthStatus.Degraded));
        var collector = provider.GetRequiredService<MetricsCollector>();
        var health = provider.GetRequiredService<HealthCheckService>();
        var openai = collector.RegisterBackend("openai");
        collector.RecordCircuitStateChange(new CircuitStateChanged(openai, CircuitState.Open));

        var report = await health.CheckHealthAsync(c => c.Tags.Contains("ready"), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal(["ready"], report.Entries["api-monitoring"].Tags);
        Assert.Empty((await health.CheckHealthAsync(c => c.Tags.Contains("live"), TestContext.Current.CancellationToken)).Entries);
    }

    [Fact]
    public async Task An_open_circuit_can_be_made_a_failure()
    {
        await using var provider = Build(h => h.AddApiMonitoringHealthChecks(o => o.OpenCircuitStatus = null));
        var collector = provider.GetRequiredService<MetricsCollector>();
        collector.RecordCircuitStateChange(new CircuitStateChanged(collector.RegisterBackend("openai"), CircuitState.Open));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Fact]
    public async Task The_error_rate_is_the_recent_one_so_health_recovers_after_an_incident()
    {
        await using var provider = Build(h => h.AddApiMonitoringHealthChecks(o => o.Window = TimeSpan.FromMinutes(1)));
        var collector = provider.GetRequiredService<MetricsCollector>();
        var health = provider.GetRequiredService<HealthCheckService>();
        var openai = collector.RegisterBackend("openai");
        Requests(collector, openai, ok: 50, failed: 50);
        Assert.Equal(HealthStatus.Degraded, (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status);

        for (var i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            Requests(collector, openai, ok: 10, failed: 0);
        }

        var report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(0.0, Backend(report, "openai")["error_rate"]);
    }
}
