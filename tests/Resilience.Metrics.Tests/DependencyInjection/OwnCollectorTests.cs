using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.Tests.DependencyInjection;

/// <summary>An application registers its own <see cref="IMetricsCollector"/>: it gets every event, and the reports stay whole.</summary>
public sealed class OwnCollectorTests
{
    [Fact]
    public async Task A_collector_of_the_application_s_own_gets_every_event_beside_the_one_reports_read()
    {
        var own = new RecordingCollector();
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector>(own);
        services.AddHttpClient("own-collector")
            .AddApiMonitoring(o =>
            {
                o.Retry.InitialRetryDelay = TimeSpan.FromMilliseconds(1);
                o.Retry.UseJitter = false;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new Responses(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.OK));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("own-collector");

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync(new Uri("http://127.0.0.1/v1/models"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The reports read the built-in collector, which got everything.
        var report = provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("own-collector");
        Assert.Equal(2, report.TotalRequests);
        Assert.Equal(1, report.RetryAttempts);

        // The application's collector got the same requests and retry, under the key it gave the backend.
        Assert.Equal(["own-collector"], own.Registered);
        Assert.Equal(2, own.Requests.Count);
        Assert.All(own.Requests, r => Assert.Equal(own.Key, r.Backend));
        Assert.All(own.Requests, r => Assert.True(r.Succeeded));
        Assert.Equal(own.Key, Assert.Single(own.Retries).Backend);
    }

    [Fact]
    public async Task A_decorator_of_the_built_in_collector_counts_each_request_once()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector>(sp => new Decorator(sp.GetRequiredService<MetricsCollector>()));
        await using var provider = Monitored(services, "decorated");

        await Send(provider, "decorated");

        Assert.Equal(1, provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("decorated").TotalRequests);
    }

    [Fact]
    public async Task A_decorator_counts_a_retried_request_once_with_one_retry_attempt()
    {
        // Retries reach the built-in collector through the decorator too: counted there once, not also directly.
        var handler = new Responses(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector>(sp => new Decorator(sp.GetRequiredService<MetricsCollector>()));
        services.AddHttpClient("decorated-retry")
            .AddApiMonitoring(o =>
            {
                o.Retry.InitialRetryDelay = TimeSpan.FromMilliseconds(1);
                o.Retry.UseJitter = false;
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(HttpStatusCode.OK, await Send(provider, "decorated-retry"));

        var report = provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("decorated-retry");
        Assert.Equal(3, handler.Calls);
        Assert.Equal(handler.Calls, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(1, report.TotalRequests);
        Assert.Equal(1, report.Retries);
        Assert.Equal(2, report.RetryAttempts);
    }

    [Fact]
    public async Task A_decorator_that_caches_its_keys_counts_each_request_once_across_clients_of_one_backend()
    {
        // The second client's registration never reaches the built-in collector (the decorator answers from its cache):
        // whether an event reaches it is learned per event, not from the registration.
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector>(sp => new CachingDecorator(sp.GetRequiredService<MetricsCollector>()));
        foreach (var client in new[] { "shared-1", "shared-2" })
        {
            services.AddHttpClient(client)
                .AddApiMonitoring(o =>
                {
                    o.BackendName = "shared";
                    o.Retry.Enabled = false;
                })
                .ConfigurePrimaryHttpMessageHandler(() => new Responses(HttpStatusCode.OK));
        }

        await using var provider = services.BuildServiceProvider();
        await Send(provider, "shared-1");
        await Send(provider, "shared-2");

        Assert.Equal(2, provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("shared").TotalRequests);
    }

    [Fact]
    public async Task A_decorator_that_fails_before_forwarding_leaves_the_reports_whole()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector>(sp => new BrokenDecorator(sp.GetRequiredService<MetricsCollector>()));
        await using var provider = Monitored(services, "broken-decorator");

        var status = await Send(provider, "broken-decorator");

        Assert.Equal(HttpStatusCode.OK, status);
        var report = provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("broken-decorator");
        Assert.Equal(1, report.TotalRequests);
        Assert.Equal(1, report.MonitoringErrors);
    }

    [Fact]
    public async Task Reports_stay_whole_when_the_registered_collector_is_another_MetricsCollector()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector, MetricsCollector>();
        await using var provider = Monitored(services, "other-collector");

        await Send(provider, "other-collector");

        Assert.Equal(1, provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("other-collector").TotalRequests);
        Assert.Equal(1, new MetricsReporter((MetricsCollector)provider.GetRequiredService<IMetricsCollector>()).GetMetricsReport("other-collector").TotalRequests);
    }

    [Fact]
    public async Task A_throwing_OpenTelemetry_listener_costs_the_application_s_collector_nothing()
    {
        var own = new RecordingCollector();
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<IMetricsCollector>(own);
        await using var provider = Monitored(services, "own-collector");
        var factory = provider.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "api.client.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("exporter bug"));
        listener.Start();

        var status = await Send(provider, "own-collector");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("own-collector").TotalRequests);
        Assert.Single(own.Requests);
    }

    [Fact]
    public void A_MetricsCollector_the_application_registered_itself_is_published_too()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new MetricsCollector());
        services.AddHttpClient("hand-registered").AddApiMonitoring();
        using var provider = services.BuildServiceProvider();

        Assert.False(provider.GetRequiredService<MetricsCollector>().IsObserved);
        _ = provider.GetRequiredService<IHttpClientFactory>().CreateClient("hand-registered");   // builds the pipeline

        Assert.True(provider.GetRequiredService<MetricsCollector>().IsObserved);
    }

    /// <summary>
    /// The limit docs/guide.md states: the watch is the calling thread's, so a decorator that forwards on another thread
    /// is not recognised and its request reaches the built-in collector twice (forward within the call).
    /// </summary>
    [Fact]
    public async Task A_decorator_that_forwards_on_another_thread_is_not_recognised()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMetricsCollector>(sp => new OtherThreadDecorator(sp.GetRequiredService<MetricsCollector>()));
        await using var provider = Monitored(services, "decorated-elsewhere");

        await Send(provider, "decorated-elsewhere");

        Assert.Equal(2, provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("decorated-elsewhere").TotalRequests);
    }

    private static ServiceProvider Monitored(ServiceCollection services, string client)
    {
        services.AddHttpClient(client)
            .AddApiMonitoring(o => o.Retry.Enabled = false)
            .ConfigurePrimaryHttpMessageHandler(() => new Responses(HttpStatusCode.OK));
        return services.BuildServiceProvider();
    }

    private static async Task<HttpStatusCode> Send(IServiceProvider provider, string client)
    {
        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient(client)
            .GetAsync(new Uri("http://127.0.0.1/v1/models"), TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private sealed class Decorator(IMetricsCollector inner) : IMetricsCollector
    {
        public TimeProvider TimeProvider => inner.TimeProvider;

        public BackendKey RegisterBackend(string name) => inner.RegisterBackend(name);

        public void RecordRequest(RequestCompleted request) => inner.RecordRequest(request);

        public void RecordRetry(RetryAttempted retry) => inner.RecordRetry(retry);

        public void RecordCircuitStateChange(CircuitStateChanged change) => inner.RecordCircuitStateChange(change);

        public void RecordCircuitAttempt(BackendKey backend, bool failed) => inner.RecordCircuitAttempt(backend, failed);

        public void RecordMonitoringError(BackendKey backend) => inner.RecordMonitoringError(backend);
    }

    /// <summary>Forwards each request from a thread of its own, waiting for it (a task's Wait could run it inline).</summary>
    private sealed class OtherThreadDecorator(IMetricsCollector inner) : IMetricsCollector
    {
        public TimeProvider TimeProvider => inner.TimeProvider;

        public BackendKey RegisterBackend(string name) => inner.RegisterBackend(name);

        public void RecordRequest(RequestCompleted request)
        {
            var forwarding = new Thread(() => inner.RecordRequest(request));
            forwarding.Start();
            forwarding.Join();
        }

        public void RecordRetry(RetryAttempted retry) => inner.RecordRetry(retry);

        public void RecordCircuitStateChange(CircuitStateChanged change) => inner.RecordCircuitStateChange(change);

        public void RecordCircuitAttempt(BackendKey backend, bool failed) => inner.RecordCircuitAttempt(backend, failed);

        public void RecordMonitoringError(BackendKey backend) => inner.RecordMonitoringError(backend);
    }

    private sealed class CachingDecorator(IMetricsCollector inner) : IMetricsCollector
    {
        private readonly ConcurrentDictionary<string, BackendKey> _keys = new(StringComparer.Ordinal);

        public TimeProvider TimeProvider => inner.TimeProvider;

        public BackendKey RegisterBackend(string name) => _keys.GetOrAdd(name, inner.RegisterBackend);

        public void RecordRequest(RequestCompleted request) => inner.RecordRequest(request);

        public void RecordRetry(RetryAttempted retry) => inner.RecordRetry(retry);

        public void RecordCircuitStateChange(CircuitStateChanged change) => inner.RecordCircuitStateChange(change);

        public void RecordCircuitAttempt(BackendKey backend, bool failed) => inner.RecordCircuitAttempt(backend, failed);

        public void RecordMonitoringError(BackendKey backend) => inner.RecordMonitoringError(backend);
    }

    /// <summary>Forwards registrations, but its exporter is down: every request throws before it is forwarded.</summary>
    private sealed class BrokenDecorator(IMetricsCollector inner) : IMetricsCollector
    {
        public TimeProvider TimeProvider => inner.TimeProvider;

        public BackendKey RegisterBackend(string name) => inner.RegisterBackend(name);

        public void RecordRequest(RequestCompleted request) => throw new InvalidOperationException("exporter down");

        public void RecordRetry(RetryAttempted retry) => inner.RecordRetry(retry);

        public void RecordCircuitStateChange(CircuitStateChanged change) => inner.RecordCircuitStateChange(change);

        public void RecordCircuitAttempt(BackendKey backend, bool failed) => inner.RecordCircuitAttempt(backend, failed);

        public void RecordMonitoringError(BackendKey backend) => throw new InvalidOperationException("exporter down");
    }

    private sealed class RecordingCollector : IMetricsCollector
    {
        public BackendKey Key { get; } = new("own-collector");

        public List<string> Registered { get; } = [];

        public List<RequestCompleted> Requests { get; } = [];

        public List<RetryAttempted> Retries { get; } = [];

        public TimeProvider TimeProvider => TimeProvider.System;

        public BackendKey RegisterBackend(string name)
        {
            lock (Registered)
            {
                Registered.Add(name);
            }

            return Key;
        }

        public void RecordRequest(RequestCompleted request)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }
        }

        public void RecordRetry(RetryAttempted retry)
        {
            lock (Retries)
            {
                Retries.Add(retry);
            }
        }

        public void RecordCircuitStateChange(CircuitStateChanged change)
        {
        }

        public void RecordCircuitAttempt(BackendKey backend, bool failed)
        {
        }

        public void RecordMonitoringError(BackendKey backend)
        {
        }
    }

    private sealed class Responses(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls) - 1;
            return Task.FromResult(new HttpResponseMessage(statuses[Math.Min(call, statuses.Length - 1)]) { RequestMessage = request });
        }
    }
}
