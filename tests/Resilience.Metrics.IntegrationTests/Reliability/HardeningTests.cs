using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Polly;

namespace Resilience.Metrics.IntegrationTests.Reliability;

/// <summary>The attacks of issue 14 ("Hardening"), one test each; every one failed before its fix.</summary>
public class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Item 1: HttpClient.Timeout cancels the token the handler sees, exactly as a caller's cancellation does.
    [Fact]
    public async Task An_HttpClient_timeout_is_a_timeout_and_a_caller_cancellation_is_not()
    {
        var arrived = new SemaphoreSlim(0);
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            arrived.Release();
            return LoopbackServer.HangAsync(context);
        });
        var services = new ServiceCollection();
        services.AddHttpClient("short", c =>
        {
            c.BaseAddress = server.Address;
            c.Timeout = TimeSpan.FromMilliseconds(200);
        }).AddApiMonitoring(o => o.Retry.Enabled = false);
        services.AddHttpClient("long", c =>
        {
            c.BaseAddress = server.Address;
            c.Timeout = TimeSpan.FromMinutes(5);
        }).AddApiMonitoring(o => o.Retry.Enabled = false);
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        var reporter = provider.GetRequiredService<IMetricsReporter>();

        var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() => factory.CreateClient("short").GetAsync("/", Ct));
        Assert.IsType<TimeoutException>(timedOut.InnerException);
        await arrived.WaitAsync(Ct);

        // The caller gives up once the backend has the request: deterministic, no race with any timer.
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pending = factory.CreateClient("long").GetAsync("/", caller.Token);
        await arrived.WaitAsync(Ct);
        await caller.CancelAsync();
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.IsNotType<TimeoutException>(cancelled.InnerException);

        var shortReport = reporter.GetMetricsReport("short");
        Assert.Equal(1, shortReport.TotalRequests);
        Assert.Equal(1, shortReport.Timeouts);
        Assert.Equal(1, shortReport.Errors.ErrorCategories["timeout"]);

        var longReport = reporter.GetMetricsReport("long");
        Assert.Equal(1, longReport.TotalRequests);
        Assert.Equal(0, longReport.Timeouts);
        Assert.Equal(0, longReport.Errors.ErrorCategories["timeout"]);
    }

    // Item 5: an undefined priority used to throw IndexOutOfRangeException inside the gate, leaving a waiter counted.
    [Fact]
    public async Task An_undefined_priority_is_refused_where_it_enters_and_never_breaks_the_queue()
    {
        using (var request = new HttpRequestMessage())
        {
            var refused = Assert.Throws<ArgumentOutOfRangeException>(() => request.SetApiPriority((RequestPriority)7));
            Assert.Contains("priority", refused.Message, StringComparison.OrdinalIgnoreCase);
        }

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new SemaphoreSlim(0);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            arrived.Release();
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        var services = new ServiceCollection();
        services.AddHttpClient("prio", c => c.BaseAddress = server.Address).AddApiMonitoring(o =>
        {
            o.Queue.MaxConcurrentRequests = 1;
            o.Queue.QueueSize = 10;
            o.Retry.Enabled = false;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("prio");
        var reporter = provider.GetRequiredService<IMetricsReporter>();

        var holder = client.GetAsync("/", Ct);
        await arrived.WaitAsync(Ct);

        // The option set directly, bypassing SetApiPriority, the way a plain pipeline's context property could be.
        using var odd = new HttpRequestMessage(HttpMethod.Get, "/");
        odd.Options.Set(new HttpRequestOptionsKey<RequestPriority>("Resilience.Metrics.Priority"), (RequestPriority)7);
        var waiting = client.SendAsync(odd, Ct);
        while (reporter.GetQueueMetrics("prio").CurrentQueueSize == 0 && !waiting.IsCompleted)
        {
            await Task.Delay(5, Ct);
        }

        release.SetResult();
        using (var first = await holder)
        using (var second = await waiting)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        // A plain pipeline's context property goes through the same check.
        using var collector = new MetricsCollector();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddApiMonitoring("plain", collector, o => o.Queue.MaxConcurrentRequests = 1)
            .Build();
        var busy = pipeline.ExecuteAsync(async _ =>
        {
            await gate.Task;
            return "held";
        }, Ct);
        var context = ResilienceContextPool.Shared.Get(Ct);
        // The property set by hand, past SetApiPriority's check: the queue must still cope.
        context.Properties.Set(new ResiliencePropertyKey<RequestPriority>("Resilience.Metrics.Priority"), (RequestPriority)(-3));
        var queued = pipeline.ExecuteAsync(static _ => ValueTask.FromResult("queued"), context);
        gate.SetResult();
        Assert.Equal("held", await busy);
        Assert.Equal("queued", await queued);
        ResilienceContextPool.Shared.Return(context);

        var report = reporter.GetMetricsReport("prio");
        Assert.Equal(2, report.TotalRequests);
        Assert.Equal(2, report.Successes);
        Assert.Equal(0, report.Queue.CurrentQueueSize);
        Assert.Equal(0, report.Queue.ActiveRequests);
        var plain = new MetricsReporter(collector).GetMetricsReport("plain");
        Assert.Equal(2, plain.Successes);
        Assert.Equal(0, plain.Queue.CurrentQueueSize);
    }

    // Item 2: two clients with one BackendName and different settings silently reset each other.
    [Fact]
    public void Two_clients_that_claim_one_backend_with_different_settings_are_refused_at_start_up_naming_both()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("openai-chat").AddApiMonitoring(o => o.BackendName = "openai");
        services.AddHttpClient("openai-embed").AddApiMonitoring(o =>
        {
            o.BackendName = "openai";
            o.DetailedLatency = true;
            o.LatencyPercentiles = [50, 99.9];
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("openai-chat", error.Message);
        Assert.Contains("openai-embed", error.Message);
        Assert.Contains("\"openai\"", error.Message);
    }

    [Fact]
    public async Task Two_clients_that_share_a_backend_with_the_same_settings_add_up_and_nothing_is_reset()
    {
        await using var server = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("ok", context.RequestAborted));
        var services = new ServiceCollection();
        services.AddHttpClient("openai-chat", c => c.BaseAddress = server.Address).AddApiMonitoring(o => o.BackendName = "openai");
        services.AddHttpClient("openai-embed", c => c.BaseAddress = server.Address).AddApiMonitoring(o => o.BackendName = "openai");
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        for (var i = 0; i < 100; i++)
        {
            using var response = await factory.CreateClient("openai-chat").GetAsync("/", Ct);
        }

        using (await factory.CreateClient("openai-embed").GetAsync("/", Ct))
        {
        }

        Assert.Equal(101, provider.GetRequiredService<IMetricsReporter>().GetMetricsReport("openai").TotalRequests);
    }

    [Fact]
    public async Task A_plain_pipeline_registered_again_with_other_settings_loses_nothing()
    {
        using var collector = new MetricsCollector();
        var first = new ResiliencePipelineBuilder<string>().AddApiMonitoring("s3", collector, o => o.RequestTracing = true).Build();
        for (var i = 0; i < 100; i++)
        {
            await first.ExecuteAsync(static _ => ValueTask.FromResult("ok"), Ct);
        }

        var second = new ResiliencePipelineBuilder<string>()
            .AddApiMonitoring("s3", collector, o =>
            {
                o.MetricsWindowSize = 10;
                o.DetailedLatency = true;
            })
            .Build();
        await second.ExecuteAsync(static _ => ValueTask.FromResult("ok"), Ct);

        var reporter = new MetricsReporter(collector);
        Assert.Equal(101, reporter.GetMetricsReport("s3").TotalRequests);
        Assert.Equal(100, reporter.GetRecentTraces(1000, "s3").Count);
    }

    // Item 3: options without upper bounds (2,000,000,000 traces: OutOfMemoryException on the first request).
    [Theory]
    [InlineData("MetricsWindowSize", "2000000000", "MetricsWindowSize")]
    [InlineData("MetricsResetInterval", "00:00:00.0000001", "MetricsResetInterval")]
    [InlineData("LatencyPercentiles:0", "NaN", "LatencyPercentiles")]
    [InlineData("Queue:MaxConcurrentRequests", "2000000000", "Queue.MaxConcurrentRequests")]
    [InlineData("Queue:QueueSize", "2000000000", "Queue.QueueSize")]
    [InlineData("CircuitBreaker:FailureThreshold", "2000000000", "CircuitBreaker.FailureThreshold")]
    [InlineData("BackendName", "lone surrogate", "BackendName")]
    [InlineData("BackendName", "300 characters", "BackendName")]
    public void An_option_out_of_its_bounds_fails_at_start_up_naming_the_option_and_the_backend(string key, string value, string option)
    {
        // (Made here: test data that crosses a process boundary as UTF-8 cannot carry a lone surrogate.)
        value = value switch
        {
            "lone surrogate" => "a" + '\uD800' + "b",
            "300 characters" => new string('b', 300),
            _ => value,
        };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ApiMonitoring:openai:{key}"] = value })
            .Build();
        var services = new ServiceCollection();
        services.AddHttpClient("openai").AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.IsType<OptionsValidationException>(error);
        Assert.Contains($"ApiMonitoringOptions.{option} ", error.Message);
        Assert.Contains("\"openai\"", error.Message);
    }

    // Item 4: stored text was unbounded (100,000-character messages and model names kept whole).
    [Fact]
    public async Task Stored_and_exported_text_is_capped_the_same_way_everywhere()
    {
        var huge = new string('x', 100_000);
        var services = new ServiceCollection();
        services.AddHttpClient("wordy", c => c.BaseAddress = new Uri("http://127.0.0.1:9/"))
            .AddApiMonitoring(o =>
            {
                o.RequestTracing = true;
                o.Retry.Enabled = false;
                o.CircuitBreaker.Enabled = false;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new InMemoryBackend((request, n) =>
                throw new HttpRequestException(huge + n.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("wordy");
        var reporter = provider.GetRequiredService<IMetricsReporter>();

        for (var i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.SetApiModel(huge + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request, Ct));
        }

        var traces = reporter.GetRecentTraces(1000, "wordy");
        Assert.Equal(100, traces.Count);
        Assert.All(traces, t => Assert.InRange(t.Error!.Length, 1, 1024));
        Assert.All(traces, t => Assert.InRange(t.Model!.Length, 1, 256));
        Assert.All(reporter.GetMetricsReport("wordy").Models.Keys, m => Assert.InRange(m.Length, 1, 256));

        // 100 models of 256 characters: the scrape stays small (it was 50 million characters).
        Assert.InRange(reporter.GetPrometheusMetrics().Length, 1, 300_000);

        using var collector = new MetricsCollector();
        var key = collector.RegisterBackend(huge);
        Assert.Equal(256, key.Name.Length);
        Assert.Equal(256, Assert.Single(collector.Backends).Length);
    }

    // Item 6: OpenTelemetry tags carried every model name ever seen.
    [Fact]
    public async Task OpenTelemetry_model_tags_are_capped_like_the_reports_across_resets()
    {
        var backend = "otel-cap-" + Guid.NewGuid().ToString("N");
        var models = new HashSet<string>(StringComparer.Ordinal);
        var measurements = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ApiMonitoringTelemetry.Name && instrument.Name == "api.client.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? api = null, model = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "api.backend")
                {
                    api = tag.Value as string;
                }
                else if (tag.Key == "gen_ai.request.model")
                {
                    model = tag.Value as string;
                }
            }

            if (api == backend)
            {
                lock (models)
                {
                    measurements++;
                    models.Add(model ?? "");
                }
            }
        });
        listener.Start();

        using var collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(collector);   // what AddApiMonitoring() does for its collector
        var pipeline = new ResiliencePipelineBuilder<string>().AddApiMonitoring(backend, collector).Build();
        for (var i = 0; i < 2_000; i++)
        {
            if (i == 1_000)
            {
                collector.Reset();
            }

            var context = ResilienceContextPool.Shared.Get(Ct);
            context.SetApiModel("model-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await pipeline.ExecuteAsync(static _ => ValueTask.FromResult("ok"), context);
            ResilienceContextPool.Shared.Return(context);
        }

        lock (models)
        {
            Assert.Equal(2_000, measurements);
            Assert.Equal(101, models.Count);
            Assert.Contains("other", models);
        }

        Assert.Equal(101, new MetricsReporter(collector).GetMetricsReport(backend).Models.Count);
    }

    // Item 9: small breaks a newcomer meets first.
    [Fact]
    public async Task The_dashboard_with_a_trailing_slash_traces_and_the_ascii_timestamp_speak_like_everything_else()
    {
        await using var app = await MonitoringApp.StartAsync();
        app.Server[Simulation.SimulatedApi.OpenAI].Enqueue(Simulation.SimulatedFault.Status(400));
        await app.SendTrafficAsync();

        using var page = await app.Http.GetAsync("/monitoring/dashboard/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var pageUri = page.RequestMessage!.RequestUri!;
        using var report = await app.Http.GetAsync(new Uri(pageUri, "report"), Ct);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        using var traces = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/traces?limit=50&backend=openai", Ct));
        var failed = traces.RootElement.EnumerateArray().Single(t => !t.GetProperty("success").GetBoolean());
        Assert.Equal("invalid_request", failed.GetProperty("error_category").GetString());
        var succeeded = traces.RootElement.EnumerateArray().Count(t => t.GetProperty("success").GetBoolean());
        Assert.Equal(0, succeeded);

        var ascii = await app.Http.GetStringAsync("/monitoring/report/openai.txt", Ct);
        Assert.Matches(@"\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n", ascii);
    }

    // Item 8: a typo'd key was ignored; messages did not say which client.
    [Fact]
    public void An_unknown_key_fails_at_start_up_naming_it_and_the_backend()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ApiMonitoring:openai:Queue:MaxConcurentRequests"] = "4" })
            .Build();
        var services = new ServiceCollection();
        services.AddHttpClient("openai").AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("MaxConcurentRequests", error.Message);
        Assert.Contains("\"openai\"", error.Message);
    }

    [Fact]
    public void With_two_clients_an_invalid_option_names_the_client_it_belongs_to()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("anthropic").AddApiMonitoring();
        services.AddHttpClient("openai").AddApiMonitoring(o => o.Retry.MaxRetries = -1);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Retry.MaxRetries", error.Message);
        Assert.Contains("\"openai\"", error.Message);
        Assert.DoesNotContain("anthropic", error.Message);
    }

    // Item 7: a reloaded configuration changed nothing, and an invalid one made IConfigurationRoot.Reload() throw.
    [Fact]
    public async Task Reloaded_options_apply_to_the_running_queue_and_a_bad_reload_is_logged_and_ignored()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new SemaphoreSlim(0);
        int inFlight = 0, maxInFlightAfterReload = 0;
        var afterReload = false;
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            var now = Interlocked.Increment(ref inFlight);
            if (Volatile.Read(ref afterReload))
            {
                InterlockedMax(ref maxInFlightAfterReload, now);
            }

            arrived.Release();
            await release.Task.WaitAsync(context.RequestAborted);
            Interlocked.Decrement(ref inFlight);
            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["ApiMonitoring:openai:Queue:MaxConcurrentRequests"] = "4",
                ["ApiMonitoring:openai:CircuitBreaker:FailureThreshold"] = "5",
            },
        };
        var configuration = new ConfigurationBuilder().Add(source).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddFakeLogging());
        services.AddHttpClient("openai", c => c.BaseAddress = server.Address).AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai"));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        var provider0 = configuration.Providers.Single();

        var first = Enumerable.Range(0, 4).Select(_ => client.GetAsync("/", Ct)).ToList();
        for (var i = 0; i < 4; i++)
        {
            await arrived.WaitAsync(Ct);
        }

        // 4 in flight; the limit drops to 1 and the threshold changes: newcomers wait until fewer than 1 run.
        provider0.Set("ApiMonitoring:openai:Queue:MaxConcurrentRequests", "1");
        provider0.Set("ApiMonitoring:openai:CircuitBreaker:FailureThreshold", "7");
        configuration.Reload();
        Volatile.Write(ref afterReload, true);
        var second = Enumerable.Range(0, 3).Select(_ => client.GetAsync("/", Ct)).ToList();
        while (reporter.GetQueueMetrics("openai").CurrentQueueSize < 3)
        {
            await Task.Delay(5, Ct);
        }

        Assert.Equal(4, reporter.GetQueueMetrics("openai").ActiveRequests);
        Assert.Equal(7, reporter.GetMetricsReport("openai").CircuitBreaker.FailureThreshold);

        // A bad value: Reload() does not throw, the rejection is logged naming the option, the old limit stays.
        provider0.Set("ApiMonitoring:openai:Queue:MaxConcurrentRequests", "0");
        configuration.Reload();
        var logs = provider.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, l => l.Message.Contains("Queue.MaxConcurrentRequests", StringComparison.Ordinal) && l.Message.Contains("\"openai\"", StringComparison.Ordinal));

        release.SetResult();
        foreach (var response in await Task.WhenAll(first.Concat(second)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        Assert.Equal(1, Volatile.Read(ref maxInFlightAfterReload));

        // Reloads still work after a rejected one.
        provider0.Set("ApiMonitoring:openai:Queue:MaxConcurrentRequests", "2");
        configuration.Reload();
        using (await client.GetAsync("/", Ct))
        {
        }

        var report = reporter.GetMetricsReport("openai");
        Assert.Equal(8, report.TotalRequests);
        Assert.Equal(8, report.Successes);
        Assert.Equal(0, report.Queue.CurrentQueueSize);
        Assert.Equal(0, report.Queue.ActiveRequests);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
