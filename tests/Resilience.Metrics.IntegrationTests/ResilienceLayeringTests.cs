using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Resilience.Metrics.IntegrationTests.Reliability;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>
/// Issue 12: the monitoring composed with the resilience a client already has (Microsoft.Extensions.Http.Resilience's
/// standard handler, a handler of its own, DI pipelines). Real HttpClients over loopback Kestrel that counts the
/// attempts it received: every attempt is a request or a retry attempt of one, never both, never twice.
/// </summary>
public sealed class ResilienceLayeringTests
{
    private const string Backend = "openai";

    /// <summary>How the client's handlers are stacked.</summary>
    public enum Layering
    {
        /// <summary><c>AddApiMonitoring(None)</c>, then <c>AddStandardResilienceHandler()</c>.</summary>
        MonitorOnlyThenStandard,

        /// <summary><c>AddStandardResilienceHandler()</c>, then <c>AddApiMonitoring(None)</c>.</summary>
        StandardThenMonitorOnly,

        /// <summary>As the first, the mode bound from configuration (<c>"Resilience": "None"</c>).</summary>
        MonitorOnlyFromConfigurationThenStandard,

        /// <summary><c>AddApiMonitoring()</c> alone: our queue, retry and breaker.</summary>
        FullAlone,
    }

    /// <summary>What the server and the report say, in one record so a failure prints every figure.</summary>
    private sealed record Counts(long Attempts, long TotalRequests, long Successes, long Failures, long RetryAttempts, long Retries)
    {
        public static Counts Of(AttemptServer server, MetricsReport report) =>
            new(server.Attempts, report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries);
    }

    /// <summary>
    /// Two calls, the first failing twice before it succeeds: 4 attempts = 2 requests + 2 retry attempts (one request
    /// retried). One persistent 500: 4 attempts (both retry layers allow 3 retries) = 1 request + 3 retry attempts.
    /// With the monitoring outermost in either order, the standard handler's retries are the backend's own.
    /// </summary>
    [Theory]
    [InlineData(Layering.MonitorOnlyThenStandard, false)]
    [InlineData(Layering.MonitorOnlyThenStandard, true)]
    [InlineData(Layering.StandardThenMonitorOnly, false)]
    [InlineData(Layering.StandardThenMonitorOnly, true)]
    [InlineData(Layering.MonitorOnlyFromConfigurationThenStandard, false)]
    [InlineData(Layering.MonitorOnlyFromConfigurationThenStandard, true)]
    [InlineData(Layering.FullAlone, false)]
    [InlineData(Layering.FullAlone, true)]
    public async Task Server_attempts_equal_requests_plus_retry_attempts(Layering layering, bool persistent)
    {
        await using var server = await AttemptServer.StartAsync(persistent ? AttemptServer.Always : 2);
        await using var provider = Build(layering, server.Address);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(Backend);

        var calls = persistent ? 1 : 2;
        for (var i = 0; i < calls; i++)
        {
            using var response = await client.GetAsync("v1/models", TestContext.Current.CancellationToken);
            Assert.Equal(persistent ? 500 : 200, (int)response.StatusCode);
        }

        var reporter = provider.GetRequiredService<IMetricsReporter>();
        var report = reporter.GetMetricsReport(Backend);
        var expected = persistent
            ? new Counts(Attempts: 4, TotalRequests: 1, Successes: 0, Failures: 1, RetryAttempts: 3, Retries: 1)
            : new Counts(Attempts: 4, TotalRequests: 2, Successes: 2, Failures: 0, RetryAttempts: 2, Retries: 1);
        Assert.Equal(expected, Counts.Of(server, report));
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);

        // The standard pipeline ("openai-standard") belongs to this client: no backend of its own.
        Assert.Equal(new[] { Backend }, reporter.Backends.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The standard handler's breaker opens on a persistent failure: the monitored backend shows it open, at once,
    /// with the opening counted.
    /// </summary>
    [Theory]
    [InlineData(Layering.MonitorOnlyThenStandard)]
    [InlineData(Layering.StandardThenMonitorOnly)]
    public async Task The_standard_handlers_circuit_is_the_backends_circuit(Layering layering)
    {
        await using var server = await AttemptServer.StartAsync(AttemptServer.Always);
        await using var provider = Build(layering, server.Address, breaker: true);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(Backend);

        var opened = false;
        for (var i = 0; i < 10 && !opened; i++)
        {
            try
            {
                using var response = await client.GetAsync("v1/models", TestContext.Current.CancellationToken);
                Assert.Equal(500, (int)response.StatusCode);
            }
            catch (BrokenCircuitException)
            {
                opened = true;
            }
        }

        Assert.True(opened, "the standard handler's breaker never opened");
        var report = provider.GetRequiredService<IMetricsReporter>().GetMetricsReport(Backend);
        Assert.True(report.CircuitBreaker.OpenCircuitCount >= 1, $"open circuit count {report.CircuitBreaker.OpenCircuitCount}");
        Assert.Equal(CircuitState.Open, report.CircuitBreaker.CurrentState);
    }

    /// <summary>
    /// A client whose name has a dash, with a handler whose name has one too (pipeline <c>azure-openai-llm-retry</c>),
    /// beside a monitored client <c>azure</c>: the pipeline belongs to the longest monitored client name it starts
    /// with, never to a name cut at a dash (<c>azure-openai-llm</c>).
    /// </summary>
    [Fact]
    public async Task A_custom_handlers_retries_belong_to_its_client_by_exact_name()
    {
        await using var server = await AttemptServer.StartAsync(AttemptServer.Always);
        var services = new ServiceCollection();
        services.AddHttpClient("azure", c => c.BaseAddress = server.Address).AddApiMonitoring(o => o.Resilience = ApiResilience.None);
        services.AddHttpClient("azure-openai", c => c.BaseAddress = server.Address)
            .AddApiMonitoring(o => o.Resilience = ApiResilience.None)
            .AddResilienceHandler("llm-retry", b => b.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(1),
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
            }));
        await using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("azure-openai")
            .GetAsync("openai/deployments/gpt-4o/chat/completions", TestContext.Current.CancellationToken);
        Assert.Equal(500, (int)response.StatusCode);

        var reporter = provider.GetRequiredService<IMetricsReporter>();
        var report = reporter.GetMetricsReport("azure-openai");
        Assert.Equal(new Counts(Attempts: 3, TotalRequests: 1, Successes: 0, Failures: 1, RetryAttempts: 2, Retries: 1), Counts.Of(server, report));
        Assert.Equal(0, reporter.GetMetricsReport("azure").RetryAttempts);
        Assert.DoesNotContain("azure-openai-llm", reporter.Backends);
    }

    /// <summary>
    /// Issue 12's double count: a DI pipeline built with <c>AddApiMonitoring</c> reports its retries itself, and the
    /// Polly telemetry of the same pipeline must not add them again (it said 4 retry attempts a call, 5 errors).
    /// </summary>
    [Fact]
    public async Task A_DI_pipeline_with_AddApiMonitoring_counts_each_retry_and_error_once()
    {
        await using var server = await AttemptServer.StartAsync(AttemptServer.Always);
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddApiMonitoring();
        services.AddResiliencePipeline<string, HttpResponseMessage>("s3", (b, ctx) => b.AddApiMonitoring("s3", ctx.ServiceProvider.GetRequiredService<IMetricsCollector>(), o =>
        {
            o.Retry.MaxRetries = 2;
            o.Retry.InitialRetryDelay = TimeSpan.Zero;
            o.CircuitBreaker.FailureThreshold = 10; // the 6 failed attempts must not open it: this test is about retries
        }));
        await using var provider = services.BuildServiceProvider();
        using var retries = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), ApiMonitoringTelemetry.Name, "api.client.retries");
        var pipeline = provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline<HttpResponseMessage>("s3");
        using var http = new HttpClient { BaseAddress = server.Address };

        for (var i = 0; i < 2; i++)
        {
            using var response = await pipeline.ExecuteAsync(async ct => await http.GetAsync("bucket/key", ct), TestContext.Current.CancellationToken);
            Assert.Equal(500, (int)response.StatusCode);
        }

        var report = provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("s3");
        Assert.Equal(new Counts(Attempts: 6, TotalRequests: 2, Successes: 0, Failures: 2, RetryAttempts: 4, Retries: 2), Counts.Of(server, report));
        Assert.Equal(4, retries.GetMeasurementSnapshot().Sum(m => m.Value));

        // Failed requests once each; error types and categories once per failed attempt (2 retried + the last, a call).
        Assert.Equal(2, report.Errors.TotalErrors);
        Assert.Equal(6, report.Errors.ErrorTypes.GetValueOrDefault("500"));
        Assert.Equal(6, report.Errors.ErrorTypes.Values.Sum());
        Assert.Equal(6, report.Errors.ErrorCategories["service_unavailable"]);
        Assert.Equal(6, report.Errors.ErrorCategories.Values.Sum());
    }

    /// <summary>
    /// Our breaker added with Polly's own options (whose default name other breakers share) in an observed pipeline:
    /// each transition is recorded once, by the breaker, not again from the pipeline's Polly telemetry.
    /// </summary>
    [Fact]
    public async Task Our_breaker_with_polly_s_options_in_an_observed_pipeline_counts_each_transition_once()
    {
        await using var server = await AttemptServer.StartAsync(AttemptServer.Always);
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddApiMonitoring();
        services.AddResiliencePipeline<string, HttpResponseMessage>("breaker", (b, ctx) =>
        {
            var collector = ctx.ServiceProvider.GetRequiredService<IMetricsCollector>();
            b.AddApiCircuitBreaker(collector.RegisterBackend("breaker"), collector, new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 1,
                MinimumThroughput = 2,
                BreakDuration = TimeSpan.FromMinutes(1),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { IsSuccessStatusCode: false }),
            });
        });
        services.ObserveResiliencePipeline("breaker", "breaker");
        await using var provider = services.BuildServiceProvider();
        using var transitions = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), ApiMonitoringTelemetry.Name, "api.client.circuit.transitions");
        var pipeline = provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline<HttpResponseMessage>("breaker");
        using var http = new HttpClient { BaseAddress = server.Address };

        for (var i = 0; i < 2; i++)
        {
            using var response = await pipeline.ExecuteAsync(async ct => await http.GetAsync("x", ct), TestContext.Current.CancellationToken);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(async ct => await http.GetAsync("x", ct), TestContext.Current.CancellationToken));
        var circuit = provider.GetRequiredService<IMetricsReporter>().GetCircuitBreakerMetrics("breaker");
        Assert.Equal((CircuitState.Open, 1L), (circuit.CurrentState, circuit.OpenCircuitCount));
        Assert.Equal(1, transitions.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    /// <summary>
    /// A pipeline of the application's own (a database retry) is not a backend: the bridge never invents one from
    /// its name, unless the application names it with <c>ObserveResiliencePipeline</c>, and then its retries are that
    /// backend's.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unrelated_pipeline_is_a_backend_only_when_observed(bool observed)
    {
        await using var server = await AttemptServer.StartAsync(AttemptServer.Always);
        var services = new ServiceCollection();
        services.AddHttpClient(Backend, c => c.BaseAddress = server.Address).AddApiMonitoring();
        services.AddResiliencePipeline("db-retry", b => b.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            Delay = TimeSpan.Zero,
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(),
        }));
        if (observed)
        {
            services.ObserveResiliencePipeline("db-retry", "db");
        }

        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("db-retry");
        using var http = new HttpClient { BaseAddress = server.Address };

        const int calls = 2;
        for (var i = 0; i < calls; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(async () => await pipeline.ExecuteAsync(async ct =>
            {
                using var response = await http.GetAsync("query", ct);
                response.EnsureSuccessStatusCode();
            }, TestContext.Current.CancellationToken));
        }

        Assert.Equal(calls * 3, server.Attempts);
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        Assert.DoesNotContain("db-retry", reporter.Backends);
        Assert.Equal(0, reporter.GetMetricsReport(Backend).RetryAttempts);
        if (observed)
        {
            Assert.Contains("db", reporter.Backends);
            var db = reporter.GetMetricsReport("db");
            Assert.Equal(server.Attempts - calls, db.RetryAttempts);
            Assert.Equal(0, db.TotalRequests); // nothing monitors its requests; only its retries are observed
        }
        else
        {
            Assert.DoesNotContain("db", reporter.Backends);
            Assert.All(reporter.Backends, backend => Assert.Equal(Backend, backend)); // the client is unused: maybe not listed yet
        }
    }

    /// <summary>
    /// A client with only the standard handler is not monitored, so it is not a backend: its retries and circuit are
    /// nobody's (issue 12 found it listed with 0 requests, a retry attempt and an open circuit).
    /// </summary>
    [Fact]
    public async Task A_client_without_monitoring_is_not_a_backend()
    {
        await using var server = await AttemptServer.StartAsync(AttemptServer.Always);
        var services = new ServiceCollection();
        services.AddHttpClient(Backend, c => c.BaseAddress = server.Address).AddApiMonitoring();
        Standard(services.AddHttpClient("plain", c => c.BaseAddress = server.Address), breaker: false);
        await using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("plain")
            .GetAsync("v1/models", TestContext.Current.CancellationToken);
        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal(4, server.Attempts);

        // Nothing but the monitored client may be a backend (it is listed once used or once a host has started).
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        Assert.All(reporter.Backends, backend => Assert.Equal(Backend, backend));
        Assert.Equal(0, reporter.GetMetricsReport(Backend).RetryAttempts);
    }

    /// <summary>
    /// Our own queue turning a request away is not the provider's 429: its own error type, and a flag on its trace.
    /// </summary>
    [Fact]
    public async Task A_queue_rejection_is_told_apart_from_a_providers_429()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await AttemptServer.StartAsync(0, async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
        });
        var services = new ServiceCollection();
        services.AddHttpClient(Backend, c => c.BaseAddress = server.Address).AddApiMonitoring(o =>
        {
            o.RequestTracing = true;
            o.Queue.MaxConcurrentRequests = 1;
            o.Queue.QueueSize = 0;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(Backend);

        // The first request holds the only slot at the server; the second finds no slot and no room to wait.
        var held = client.GetAsync("v1/models", TestContext.Current.CancellationToken);
        await arrived.Task.WaitAsync(TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<QueueRejectedException>(() => client.GetAsync("v1/models", TestContext.Current.CancellationToken));
        release.SetResult();
        using (var response = await held)
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var reporter = provider.GetRequiredService<IMetricsReporter>();
        var report = reporter.GetMetricsReport(Backend);
        Assert.Equal(1, server.Attempts);
        Assert.Equal(1, report.Queue.QueueRejectionCount);
        Assert.Equal(1, report.Errors.ErrorTypes.GetValueOrDefault("queue_rejected"));
        Assert.DoesNotContain("429", report.Errors.ErrorTypes.Keys);

        var traces = reporter.GetRecentTraces(10, Backend);
        var rejected = Assert.Single(traces, t => !t.Success);
        Assert.True(rejected.QueueRejected);
        Assert.Equal("queue_rejected", rejected.ErrorType);
        Assert.False(Assert.Single(traces, t => t.Success).QueueRejected);
    }

    private static ServiceProvider Build(Layering layering, Uri address, bool breaker = false)
    {
        var services = new ServiceCollection();
        var client = services.AddHttpClient(Backend, c => c.BaseAddress = address);
        switch (layering)
        {
            case Layering.MonitorOnlyThenStandard:
                Standard(client.AddApiMonitoring(o => o.Resilience = ApiResilience.None), breaker);
                break;
            case Layering.StandardThenMonitorOnly:
                Standard(client, breaker).AddApiMonitoring(o => o.Resilience = ApiResilience.None);
                break;
            case Layering.MonitorOnlyFromConfigurationThenStandard:
                var configuration = new ConfigurationBuilder()
                    .AddInMemoryCollection(new Dictionary<string, string?> { ["ApiMonitoring:openai:Resilience"] = "None" })
                    .Build();
                Standard(client.AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai")), breaker);
                break;
            default:
                client.AddApiMonitoring(o => o.Retry.InitialRetryDelay = TimeSpan.Zero);
                break;
        }

        return services.BuildServiceProvider();
    }

    /// <summary>The standard handler with 3 retries (its default) that wait 1 ms, so the tests are fast.</summary>
    private static IHttpClientBuilder Standard(IHttpClientBuilder client, bool breaker)
    {
        client.AddStandardResilienceHandler(o =>
        {
            o.Retry.MaxRetryAttempts = 3;
            o.Retry.Delay = TimeSpan.FromMilliseconds(1);
            o.Retry.BackoffType = DelayBackoffType.Constant;
            o.Retry.UseJitter = false;
            if (breaker)
            {
                // Opens after two failed attempts; a long break keeps it OPEN while the test reads the report.
                // Microsoft's validation wants SamplingDuration of at least twice the attempt timeout.
                o.CircuitBreaker.MinimumThroughput = 2;
                o.CircuitBreaker.FailureRatio = 0.5;
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
                o.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(5);
            }
        });
        return client;
    }
}

/// <summary>
/// Loopback Kestrel that counts the attempts it receives and answers 500 to the first <c>failures</c> of them, then
/// 200 (or runs <c>handler</c> for those).
/// </summary>
internal sealed class AttemptServer : IAsyncDisposable
{
    /// <summary>Every attempt fails.</summary>
    public const int Always = int.MaxValue;

    private readonly LoopbackServer _server;
    private readonly Box _box;

    private AttemptServer(LoopbackServer server, Box box)
    {
        _server = server;
        _box = box;
    }

    public Uri Address => _server.Address;

    public int Attempts => Volatile.Read(ref _box.Attempts);

    public static async Task<AttemptServer> StartAsync(int failures, RequestDelegate? handler = null)
    {
        var box = new Box();
        var server = await LoopbackServer.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref box.Attempts) <= failures)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("""{"error":{"message":"The server had an error","type":"server_error"}}""", context.RequestAborted);
                return;
            }

            if (handler is not null)
            {
                await handler(context);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object":"list","data":[]}""", context.RequestAborted);
        });
        return new AttemptServer(server, box);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class Box
    {
        public int Attempts;
    }
}
