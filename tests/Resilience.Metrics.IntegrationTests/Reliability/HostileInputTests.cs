using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace Resilience.Metrics.IntegrationTests.Reliability;

/// <summary>Issue 14's "also look": what its list did not name, found with the same eyes. Each failed before its fix.</summary>
public class HostileInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_exception_whose_message_throws_is_still_counted_classified_and_traced()
    {
        using var collector = new MetricsCollector();
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddApiMonitoring("hostile-exception", collector, o => o.RequestTracing = true)
            .Build();

        // (Caught by hand: Assert.ThrowsAsync reads the message.)
        Exception? caught = null;
        try
        {
            await pipeline.ExecuteAsync<string>(_ => throw new MessageThrowsException(), Ct);
        }
        catch (MessageThrowsException exception)
        {
            caught = exception;
        }

        Assert.NotNull(caught);

        var reporter = new MetricsReporter(collector);
        var report = reporter.GetMetricsReport("hostile-exception");
        Assert.Equal(1, report.Failures);
        Assert.Equal(0, report.MonitoringErrors);
        Assert.Equal(1, report.Errors.ErrorCategories["unexpected"]);
        Assert.Equal(nameof(MessageThrowsException), Assert.Single(reporter.GetRecentTraces(10, "hostile-exception")).Error);
    }

    [Fact]
    public async Task Names_that_differ_only_in_what_an_encoder_replaces_are_one_name_in_every_output()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("surrogates", c => c.BaseAddress = new Uri("http://127.0.0.1:9/"))
            .AddApiMonitoring(o => o.ApiFormat = ApiFormat.Generic)
            .ConfigurePrimaryHttpMessageHandler(() => new InMemoryBackend((request, _) => InMemoryBackend.Json(request, "{}")));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("surrogates");
        var reporter = provider.GetRequiredService<IMetricsReporter>();

        // Two lone surrogates and the replacement character UTF-8 writers put in their place.
        foreach (var model in new[] { "m" + '\uD800', "m" + '\uDC00', "m\uFFFD" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/");
            request.SetApiModel(model);
            (await client.SendAsync(request, Ct)).Dispose();
        }

        var model1 = Assert.Single(reporter.GetMetricsReport("surrogates").Models);
        Assert.Equal("m\uFFFD", model1.Key);
        Assert.Equal(3, model1.Value.Requests);
        using var json = JsonDocument.Parse(reporter.GetJsonReport("surrogates"));
        Assert.Single(json.RootElement.GetProperty("models").EnumerateObject());
        Assert.Single(reporter.GetPrometheusMetrics().Split('\n'), line => line.StartsWith("api_model_requests_total{api=\"surrogates\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_OpenTelemetry_listener_that_throws_loses_no_count()
    {
        var backend = "throwing-meter-" + Guid.NewGuid().ToString("N");
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ApiMonitoringTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "api.backend" && (string?)tag.Value == backend)
                {
                    throw new InvalidOperationException("a listener's own bug");
                }
            }
        });
        listener.Start();
        using var collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(collector);   // what AddApiMonitoring() does for its collector
        var pipeline = new ResiliencePipelineBuilder<string>().AddApiMonitoring(backend, collector).Build();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("ok", await pipeline.ExecuteAsync(static _ => ValueTask.FromResult("ok"), Ct));
        }

        var report = new MetricsReporter(collector).GetMetricsReport(backend);
        Assert.Equal(10, report.TotalRequests);
        Assert.Equal(10, report.Successes);
        Assert.Equal(10, report.MonitoringErrors);
    }

    [Fact]
    public async Task An_activity_listener_that_throws_never_breaks_the_request()
    {
        var backend = "throwing-activity-" + Guid.NewGuid().ToString("N");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ApiMonitoringTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("api.backend") == backend)
                {
                    throw new InvalidOperationException("a listener's own bug");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var collector = new MetricsCollector();
        var pipeline = new ResiliencePipelineBuilder<string>().AddApiMonitoring(backend, collector).Build();

        Assert.Equal("ok", await pipeline.ExecuteAsync(static _ => ValueTask.FromResult("ok"), Ct));
        Assert.Equal("later", await pipeline.ExecuteAsync(static async _ =>
        {
            await Task.Yield();
            return "later";
        }, Ct));

        var report = new MetricsReporter(collector).GetMetricsReport(backend);
        Assert.Equal(2, report.Successes);
        Assert.Equal(2, report.MonitoringErrors);
    }

    [Fact]
    public void An_event_with_a_foreign_key_keeps_the_backend_s_settings()
    {
        using var collector = new MetricsCollector();
        new ResiliencePipelineBuilder<object>().AddApiMonitoring("groq", collector, o =>
        {
            o.LatencyPercentiles = [75, 99.9];
            o.MetricsWindowSize = 3;
        });

        // A key another collector made: the name alone.
        collector.RecordRequest(new RequestCompleted(new BackendKey("groq")) { Succeeded = true, Latency = TimeSpan.FromMilliseconds(5) });

        var report = new MetricsReporter(collector).GetMetricsReport("groq");
        Assert.Equal(1, report.TotalRequests);
        Assert.Equal(["75", "99.9"], report.Latency.Percentiles.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_reload_that_rebuilds_an_open_circuit_reports_it_closed()
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["m:Retry:Enabled"] = "false",
                ["m:CircuitBreaker:FailureThreshold"] = "2",
            },
        };
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Add(source).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("breaker", c => c.BaseAddress = server.Address).AddApiMonitoring(configuration.GetSection("m"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("breaker");
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        for (var i = 0; i < 2; i++)
        {
            (await client.GetAsync("/", Ct)).Dispose();
        }

        Assert.Equal(CircuitState.Open, reporter.GetMetricsReport("breaker").CircuitBreaker.CurrentState);

        configuration.Providers.Single().Set("m:CircuitBreaker:FailureThreshold", "3");
        configuration.Reload();

        // The rebuilt breaker is closed, and says so: the next request reaches the backend.
        Assert.Equal(CircuitState.Closed, reporter.GetMetricsReport("breaker").CircuitBreaker.CurrentState);
        using var response = await client.GetAsync("/", Ct);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
    }

    private sealed class MessageThrowsException : Exception
    {
        public override string Message => throw new InvalidOperationException("a message getter of its own");
    }
}
