using System.Net;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Resilience.Metrics.Tests.Strategies;

/// <summary>The per-strategy extensions (<c>AddApiRetry</c>, <c>AddApiCircuitBreaker</c>, ...) check and copy their options.</summary>
public sealed class StrategyOptionsTests
{
    private static readonly BackendKey Backend = new(0, "s3");

    /// <summary>Every strategy option <c>AddApiMonitoring</c> refuses, as the strategy's own extension gets it.</summary>
    public static TheoryData<string, Action<ResiliencePipelineBuilder<HttpResponseMessage>, IMetricsCollector>> InvalidStrategyOptions => new()
    {
        { "ApiRetryStrategyOptions.BackoffFactor", (b, c) => b.AddApiRetry(Backend, c, new ApiRetryStrategyOptions { BackoffFactor = 0.5 }) },
        { "ApiRetryStrategyOptions.BackoffFactor", (b, c) => b.AddApiRetry(Backend, c, new ApiRetryStrategyOptions { BackoffFactor = double.NaN }) },
        { "ApiRetryStrategyOptions.MaxRetries", (b, c) => b.AddApiRetry(Backend, c, new ApiRetryStrategyOptions { MaxRetries = 101 }) },
        { "ApiRetryStrategyOptions.InitialRetryDelay", (b, c) => b.AddApiRetry(Backend, c, new ApiRetryStrategyOptions { InitialRetryDelay = TimeSpan.FromDays(2) }) },
        { "ApiRetryStrategyOptions.MaxRetryDelay", (b, c) => b.AddApiRetry(Backend, c, new ApiRetryStrategyOptions { MaxRetryDelay = TimeSpan.FromSeconds(-1) }) },
        { "ApiRetryStrategyOptions.MaxRetryDelay", (b, c) => b.AddApiRetry(Backend, c, new ApiRetryStrategyOptions { InitialRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(1) }) },
        { "ApiCircuitBreakerStrategyOptions.FailureThreshold", (b, c) => b.AddApiCircuitBreaker(Backend, c, new ApiCircuitBreakerStrategyOptions { FailureThreshold = 1 }) },
        { "ApiCircuitBreakerStrategyOptions.FailureThreshold", (b, c) => b.AddApiCircuitBreaker(Backend, c, new ApiCircuitBreakerStrategyOptions { FailureThreshold = 10_001 }) },
        { "ApiCircuitBreakerStrategyOptions.ResetTimeout", (b, c) => b.AddApiCircuitBreaker(Backend, c, new ApiCircuitBreakerStrategyOptions { ResetTimeout = TimeSpan.Zero }) },
        { "ApiCircuitBreakerStrategyOptions.SamplingDuration", (b, c) => b.AddApiCircuitBreaker(Backend, c, new ApiCircuitBreakerStrategyOptions { SamplingDuration = TimeSpan.FromDays(2) }) },
        { "ApiQueueStrategyOptions.MaxConcurrentRequests", (b, c) => b.AddApiQueue(Backend, c, new ApiQueueStrategyOptions { MaxConcurrentRequests = 0 }) },
        { "ApiQueueStrategyOptions.MaxConcurrentRequests", (b, c) => b.AddApiQueue(Backend, c, new ApiQueueStrategyOptions { MaxConcurrentRequests = 10_001 }) },
        { "ApiQueueStrategyOptions.QueueSize", (b, c) => b.AddApiQueue(Backend, c, new ApiQueueStrategyOptions { QueueSize = -1 }) },
        { "RequestMonitoringStrategyOptions.ApiFormat", (b, c) => b.AddApiRequestMonitoring(Backend, c, new RequestMonitoringStrategyOptions { ApiFormat = (ApiFormat)999 }) },
    };

    [Theory]
    [MemberData(nameof(InvalidStrategyOptions))]
    public void An_invalid_strategy_option_fails_when_the_strategy_is_added_naming_the_option_and_the_backend(
        string option, Action<ResiliencePipelineBuilder<HttpResponseMessage>, IMetricsCollector> add)
    {
        using var collector = new MetricsCollector();

        var error = Assert.Throws<OptionsValidationException>(() => add(new ResiliencePipelineBuilder<HttpResponseMessage>(), collector));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(option + " must ", failure, StringComparison.Ordinal);
        Assert.EndsWith(" (backend \"s3\").", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backoff_factor_below_1_is_refused_by_AddApiRetry_with_the_message_AddApiMonitoring_gives()
    {
        using var collector = new MetricsCollector();

        var error = Assert.Throws<OptionsValidationException>(() =>
            new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiRetry(Backend, collector, new ApiRetryStrategyOptions { BackoffFactor = 0.5 }));
        var monitoring = Assert.Throws<OptionsValidationException>(() =>
            new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiMonitoring("s3", collector, o => o.Retry.BackoffFactor = 0.5));

        Assert.Equal(["ApiRetryStrategyOptions.BackoffFactor must be from 1 to 100; it was 0.5 (backend \"s3\")."], error.Failures);
        Assert.Equal(typeof(ApiRetryStrategyOptions), error.OptionsType);
        Assert.Equal(["ApiMonitoringOptions.Retry.BackoffFactor must be from 1 to 100; it was 0.5 (backend \"s3\")."], monitoring.Failures);
    }

    [Fact]
    public void The_queue_of_a_pipeline_without_a_result_type_is_checked_too()
    {
        using var collector = new MetricsCollector();

        var error = Assert.Throws<OptionsValidationException>(() =>
            new ResiliencePipelineBuilder().AddApiQueue(Backend, collector, new ApiQueueStrategyOptions { QueueSize = 100_001 }));

        Assert.Equal(["ApiQueueStrategyOptions.QueueSize must be from 0 to 100,000; it was 100001 (backend \"s3\")."], error.Failures);
    }

    [Fact]
    public void Valid_strategy_options_at_their_bounds_are_accepted()
    {
        using var collector = new MetricsCollector();
        var backend = collector.RegisterBackend("s3", new BackendRegistration());

        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(backend, collector, new RequestMonitoringStrategyOptions())
            .AddApiQueue(backend, collector, new ApiQueueStrategyOptions { MaxConcurrentRequests = 10_000, QueueSize = 0 })
            .AddApiRetry(backend, collector, new ApiRetryStrategyOptions { MaxRetries = 100, BackoffFactor = 1, InitialRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero })
            .AddApiCircuitBreaker(backend, collector, new ApiCircuitBreakerStrategyOptions { FailureThreshold = 2, ResetTimeout = TimeSpan.FromMilliseconds(500) })
            .Build();
    }

    [Fact]
    public void AddApiCircuitBreaker_leaves_the_callers_Polly_options_as_they_were()
    {
        using var collector = new MetricsCollector();
        Func<OnCircuitOpenedArguments<HttpResponseMessage>, ValueTask> opened = _ => default;
        Func<OnCircuitClosedArguments<HttpResponseMessage>, ValueTask> closed = _ => default;
        Func<OnCircuitHalfOpenedArguments, ValueTask> halfOpened = _ => default;
        Func<CircuitBreakerPredicateArguments<HttpResponseMessage>, ValueTask<bool>> shouldHandle = _ => new ValueTask<bool>(false);
        var options = new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            OnOpened = opened,
            OnClosed = closed,
            OnHalfOpened = halfOpened,
            ShouldHandle = shouldHandle,
        };

        // Twice with the same object: a second wrap must not wrap the first.
        var backend = collector.RegisterBackend("s3", new BackendRegistration());
        new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiCircuitBreaker(backend, collector, options).Build();
        new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiCircuitBreaker(backend, collector, options).Build();

        Assert.Same(opened, options.OnOpened);
        Assert.Same(closed, options.OnClosed);
        Assert.Same(halfOpened, options.OnHalfOpened);
        Assert.Same(shouldHandle, options.ShouldHandle);
    }

    [Fact]
    public void The_circuit_breaker_copy_carries_every_setting_of_Pollys_options()
    {
        // Every public settable property gets a value other than its default; a property Polly adds later and the copy
        // misses fails here.
        var options = new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "breaker",
            FailureRatio = 0.25,
            MinimumThroughput = 7,
            SamplingDuration = TimeSpan.FromSeconds(11),
            BreakDuration = TimeSpan.FromSeconds(13),
            BreakDurationGenerator = _ => new ValueTask<TimeSpan>(TimeSpan.FromSeconds(1)),
            ShouldHandle = _ => new ValueTask<bool>(true),
            OnOpened = _ => default,
            OnClosed = _ => default,
            OnHalfOpened = _ => default,
            ManualControl = new CircuitBreakerManualControl(),
            StateProvider = new CircuitBreakerStateProvider(),
        };

        var copy = ApiCircuitBreaker.Copy(options);

        Assert.NotSame(options, copy);
        foreach (var property in typeof(CircuitBreakerStrategyOptions<HttpResponseMessage>).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            Assert.NotEqual(property.GetValue(new CircuitBreakerStrategyOptions<HttpResponseMessage>()), property.GetValue(options));
            Assert.Equal(property.GetValue(options), property.GetValue(copy));
        }
    }

    [Fact]
    public async Task Retry_options_changed_after_AddApiRetry_change_nothing()
    {
        using var collector = new MetricsCollector();
        var options = new ApiRetryStrategyOptions { MaxRetries = 1, InitialRetryDelay = TimeSpan.Zero, UseJitter = false };
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiRetry(collector.RegisterBackend("s3", new BackendRegistration()), collector, options).Build();

        // Were the strategy still reading the caller's object, the retry would now wait a day.
        options.InitialRetryDelay = TimeSpan.FromDays(1);
        options.MaxRetryDelay = TimeSpan.FromDays(1);
        var attempts = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await pipeline.ExecuteAsync(
            _ => ValueTask.FromResult(new HttpResponseMessage(++attempts == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK)), timeout.Token);

        Assert.Equal((HttpStatusCode.OK, 2), (response.StatusCode, attempts));
    }

    [Fact]
    public async Task Queue_options_changed_after_AddApiQueue_change_nothing()
    {
        using var collector = new MetricsCollector();
        var options = new ApiQueueStrategyOptions { MaxConcurrentRequests = 1, QueueSize = 0 };
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiQueue(collector.RegisterBackend("s3", new BackendRegistration()), collector, options);

        // The strategy is created when the pipeline is built, after this change: it must still admit one request only.
        options.MaxConcurrentRequests = 2;
        var pipeline = builder.Build();
        var release = new TaskCompletionSource();
        var first = pipeline.ExecuteAsync(async _ =>
        {
            await release.Task;
            return new HttpResponseMessage(HttpStatusCode.OK);
        }).AsTask();

        await Assert.ThrowsAsync<QueueRejectedException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.OK))));
        release.SetResult();
        (await first).Dispose();
    }

    [Fact]
    public void The_defaults_of_the_registration_and_of_request_monitoring_are_the_options_defaults()
    {
        var defaults = new ApiMonitoringOptions();
        var registration = new BackendRegistration();
        var fromOptions = defaults.ToRegistration();
        var monitoring = new RequestMonitoringStrategyOptions();
        var monitoringFromOptions = defaults.ToRequestMonitoring();

        Assert.Equal(fromOptions.MetricsWindowSize, registration.MetricsWindowSize);
        Assert.Equal(fromOptions.MetricsResetInterval, registration.MetricsResetInterval);
        Assert.Equal(fromOptions.DetailedLatency, registration.DetailedLatency);
        Assert.Equal(fromOptions.LatencyPercentiles, registration.LatencyPercentiles);
        Assert.Equal(fromOptions.FailureThreshold, registration.FailureThreshold);
        Assert.Equal(
            (monitoringFromOptions.RequestTracing, monitoringFromOptions.ErrorTracking, monitoringFromOptions.ApiFormat),
            (monitoring.RequestTracing, monitoring.ErrorTracking, monitoring.ApiFormat));
    }

    [Fact]
    public void A_configuration_section_with_the_removed_HalfOpenMaxRequests_fails_as_an_unknown_key()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiMonitoring:openai:CircuitBreaker:HalfOpenMaxRequests"] = "1",
        }).Build().GetSection("ApiMonitoring:openai");
        var services = new ServiceCollection();
        services.AddHttpClient("openai").AddApiMonitoring(section);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("HalfOpenMaxRequests", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_alert_windows_upper_bound_is_the_reports_longest_window() =>
        Assert.Equal(MetricsReporter.MaxWindow, TimeSpan.Parse(ApiMonitoringAlertOptionsValidator.MaxWindowText, System.Globalization.CultureInfo.InvariantCulture));
}
