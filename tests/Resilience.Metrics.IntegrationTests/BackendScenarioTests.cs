using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.IntegrationTests;

public class BackendScenarioTests
{
    public static TheoryData<SimulatedApi> Apis => [.. Enum.GetValues<SimulatedApi>()];

    public static TheoryData<SimulatedApi> StreamingApis =>
    [
        SimulatedApi.OpenAI, SimulatedApi.Anthropic, SimulatedApi.Groq, SimulatedApi.Gemini, SimulatedApi.Ollama,
        SimulatedApi.HuggingFaceTgi, SimulatedApi.Llvm, SimulatedApi.Ovms, SimulatedApi.Opea,
    ];

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Successful_requests_are_counted_with_their_model_and_tokens(SimulatedApi api)
    {
        await using var clients = await MonitoredClients.StartAsync();
        var name = MonitoredClients.Name(api);

        for (var i = 0; i < 3; i++)
        {
            var (response, body) = await clients.SendAsync(api);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty(body);
            response.Dispose();
        }

        var report = clients.Reporter.GetMetricsReport(name);
        var control = clients.Server[api];
        Assert.Equal(3, report.TotalRequests);
        Assert.Equal(1, report.SuccessRate);
        Assert.Equal(Reported(api, control), report.TokenCounts);
        Assert.Equal(3, report.Latency.Count);
        Assert.True(report.Latency.MinLatency > 0);
        Assert.Null(report.Latency.TimeToFirstByte);   // bodies of known length are not streams
        if (NamesItsModel(api))
        {
            var model = Assert.Single(report.Models);
            Assert.Equal(SimulatedRequests.DefaultModel(api), model.Key);
            Assert.Equal(3, model.Value.Requests);
        }
        else
        {
            Assert.Empty(report.Models);
        }
    }

    [Theory]
    [MemberData(nameof(StreamingApis))]
    public async Task Streamed_responses_count_their_tokens_when_the_caller_has_read_them(SimulatedApi api)
    {
        await using var clients = await MonitoredClients.StartAsync();

        var (response, body) = await clients.SendAsync(api, stream: true);
        response.Dispose();

        var report = clients.Reporter.GetMetricsReport(MonitoredClients.Name(api));
        var control = clients.Server[api];
        Assert.Equal(1, report.Successes);
        Assert.True(control.TotalCompletionTokens > 0);
        Assert.Equal(Reported(api, control), report.TokenCounts);
        if (NamesItsModel(api))
        {
            Assert.Equal(report.TokenCounts, Assert.Single(report.Models).Value.TokenCounts);
        }

        var firstByte = report.Latency.TimeToFirstByte;
        Assert.NotNull(firstByte);
        Assert.Equal(1, firstByte.Count);
        Assert.True(firstByte.AvgLatency > 0);
        Assert.NotEmpty(body);
    }

    /// <summary>TGI and TEI serve one model per endpoint and name it nowhere; S3 has none.</summary>
    private static bool NamesItsModel(SimulatedApi api) =>
        api is not (SimulatedApi.HuggingFaceTgi or SimulatedApi.HuggingFaceTei or SimulatedApi.S3);

    /// <summary>The tokens the API's responses report: TGI reports no prompt tokens, TEI (embeddings) none at all.</summary>
    private static TokenCounts Reported(SimulatedApi api, BackendControl served) => api switch
    {
        SimulatedApi.HuggingFaceTgi => new TokenCounts(0, served.TotalCompletionTokens),
        SimulatedApi.HuggingFaceTei => new TokenCounts(0, 0),
        _ => new TokenCounts(served.TotalPromptTokens, served.TotalCompletionTokens),
    };

    [Fact]
    public async Task A_rate_limited_attempt_is_retried_after_retry_after_and_its_error_recorded()
    {
        await using var clients = await MonitoredClients.StartAsync();
        clients.Server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.Status(429, retryAfter: TimeSpan.FromSeconds(1)));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var (response, _) = await clients.SendAsync(SimulatedApi.OpenAI);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.9), "Retry-After was not honoured");
        var report = clients.Reporter.GetMetricsReport("openai");
        Assert.Equal(1, report.TotalRequests);
        Assert.Equal(1, report.Successes);
        Assert.Equal(1, report.Retries);
        Assert.Equal(1, report.RetryAttempts);
        Assert.Equal(1, report.Errors.ErrorCategories["rate_limiting"]);
        Assert.Equal(1, report.Errors.ErrorTypes["429"]);
        Assert.Equal(0, report.Errors.ErrorRate);
        Assert.Equal(2, clients.Server[SimulatedApi.OpenAI].Requests);
        response.Dispose();
    }

    [Theory]
    [InlineData(401, "authentication")]
    [InlineData(403, "authentication")]
    [InlineData(400, "invalid_request")]
    [InlineData(422, "invalid_request")]
    public async Task Client_errors_fail_once_without_retry_in_their_category(int status, string category)
    {
        await using var clients = await MonitoredClients.StartAsync();
        clients.Server[SimulatedApi.Anthropic].Enqueue(SimulatedFault.Status(status));

        var (response, body) = await clients.SendAsync(SimulatedApi.Anthropic);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains("error", body);
        var report = clients.Reporter.GetMetricsReport("anthropic");
        Assert.Equal(1, report.Failures);
        Assert.Equal(0, report.RetryAttempts);
        Assert.Equal(1, report.Errors.ErrorCategories[category]);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), report.Errors.MostCommonError);
        Assert.Equal(1, clients.Server[SimulatedApi.Anthropic].Requests);
        response.Dispose();
    }

    [Fact]
    public async Task Missing_credentials_are_an_authentication_failure()
    {
        await using var clients = await MonitoredClients.StartAsync();

        var (response, _) = await clients.SendAsync(SimulatedApi.OpenAI, prepare: r => r.Headers.Authorization = null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, clients.Reporter.GetErrorMetrics("openai").ErrorCategories["authentication"]);
        response.Dispose();
    }

    [Fact]
    public async Task A_5xx_burst_opens_the_circuit_which_rejects_then_half_opens_and_closes()
    {
        await using var clients = await MonitoredClients.StartAsync((_, o) =>
        {
            o.Retry.Enabled = false;
            o.CircuitBreaker.FailureThreshold = 3;
            o.CircuitBreaker.ResetTimeout = TimeSpan.FromSeconds(1);
        });
        var gemini = clients.Server[SimulatedApi.Gemini];
        gemini.Enqueue(SimulatedFault.Status(503), SimulatedFault.Status(503), SimulatedFault.Status(503));

        for (var i = 0; i < 3; i++)
        {
            var (failed, _) = await clients.SendAsync(SimulatedApi.Gemini);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            failed.Dispose();
        }

        Assert.Equal(CircuitState.Open, clients.Reporter.GetCircuitBreakerMetrics("gemini").CurrentState);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => clients.SendAsync(SimulatedApi.Gemini));
        Assert.Equal(3, gemini.Requests);

        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        var (recovered, _) = await clients.SendAsync(SimulatedApi.Gemini);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        recovered.Dispose();

        var circuit = clients.Reporter.GetCircuitBreakerMetrics("gemini");
        Assert.Equal(CircuitState.Closed, circuit.CurrentState);
        Assert.Equal(1, circuit.OpenCircuitCount);
        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], circuit.StateChanges.Select(c => c.State));
        Assert.InRange(circuit.StateTimeSeconds["OPEN"], 1.0, 5.0);
        // Uptime and state times from one report: read apart, a stall between the reads would show as a mismatch.
        var report = clients.Reporter.GetMetricsReport("gemini");
        Assert.Equal(report.UptimeSeconds, report.CircuitBreaker.StateTimeSeconds.Values.Sum(), report.UptimeSeconds * 0.01 + 0.01);

        var errors = clients.Reporter.GetErrorMetrics("gemini");
        Assert.Equal(4, errors.ErrorCategories["service_unavailable"]);   // three 503s and the rejection
        Assert.Equal(1, errors.ErrorTypes["BrokenCircuitException"]);

        var circuitLogs = clients.Logs.GetSnapshot().Where(l => l.Message.Contains("Circuit of backend gemini", StringComparison.Ordinal)).ToList();
        Assert.Collection(circuitLogs,
            l => Assert.Equal(LogLevel.Warning, l.Level),
            l => { Assert.Equal(LogLevel.Information, l.Level); Assert.Contains("half-opened", l.Message); },
            l => { Assert.Equal(LogLevel.Information, l.Level); Assert.Contains("closed", l.Message); });
    }

    [Fact]
    public async Task A_slow_backend_past_the_attempt_timeout_is_a_timeout()
    {
        await using var clients = await MonitoredClients.StartAsync((_, o) =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            o.Retry.MaxRetries = 1;
        });
        var ollama = clients.Server[SimulatedApi.Ollama];
        ollama.Enqueue(SimulatedFault.Delay(TimeSpan.FromSeconds(5)), SimulatedFault.Delay(TimeSpan.FromSeconds(5)));

        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(() => clients.SendAsync(SimulatedApi.Ollama));

        var report = clients.Reporter.GetMetricsReport("ollama");
        Assert.Equal(1, report.Failures);
        Assert.Equal(1, report.Timeouts);
        Assert.Equal(1, report.RetryAttempts);
        Assert.Equal(2, report.Errors.ErrorCategories["timeout"]);
        Assert.Equal("TimeoutRejectedException", report.Errors.MostCommonError);
        Assert.InRange(report.Latency.MaxLatency, 350, 4000);
    }

    [Fact]
    public async Task A_refused_connection_is_a_network_error()
    {
        // A socket bound but never listening: connections to its port are refused, and no other test's server can take
        // the port meanwhile (a listener stopped before the request left it free for anyone).
        using var bound = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closedPort = ((IPEndPoint)bound.LocalEndPoint!).Port;

        await using var clients = await MonitoredClients.StartAsync(services: s =>
            s.AddHttpClient("refused", c => c.BaseAddress = new Uri($"http://127.0.0.1:{closedPort}/"))
                .AddApiMonitoring(o => o.Retry.InitialRetryDelay = TimeSpan.Zero));
        var client = clients.Services.GetRequiredService<IHttpClientFactory>().CreateClient("refused");

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("v1/models", TestContext.Current.CancellationToken));

        var report = clients.Reporter.GetMetricsReport("refused");
        Assert.Equal(1, report.Failures);
        Assert.Equal(3, report.RetryAttempts);
        Assert.Equal(4, report.Errors.ErrorCategories["network"]);
        Assert.Equal("HttpRequestException", report.Errors.MostCommonError);
    }

    [Fact]
    public async Task A_reset_connection_is_retried_as_a_network_error()
    {
        await using var clients = await MonitoredClients.StartAsync();
        clients.Server[SimulatedApi.Opea].Enqueue(SimulatedFault.ResetConnection());

        var (response, _) = await clients.SendAsync(SimulatedApi.Opea);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = clients.Reporter.GetMetricsReport("opea");
        Assert.Equal(1, report.Successes);
        Assert.Equal(1, report.Errors.ErrorCategories["network"]);
        response.Dispose();
    }

    [Fact]
    public async Task A_malformed_body_reaches_the_caller_intact_and_counts_no_tokens()
    {
        await using var clients = await MonitoredClients.StartAsync();
        clients.Server[SimulatedApi.Groq].Enqueue(SimulatedFault.MalformedBody());

        var (response, body) = await clients.SendAsync(SimulatedApi.Groq);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(body);
        var report = clients.Reporter.GetMetricsReport("groq");
        Assert.Equal(1, report.Successes);
        Assert.Equal(0, report.MonitoringErrors);
        Assert.Equal(new TokenCounts(0, 0), report.TokenCounts);
        response.Dispose();
    }

    [Fact]
    public async Task A_saturated_queue_admits_by_priority_and_rejects_when_full()
    {
        await using var clients = await MonitoredClients.StartAsync((_, o) =>
        {
            o.Queue.MaxConcurrentRequests = 1;
            o.Queue.QueueSize = 3;
        });
        var tgi = clients.Server[SimulatedApi.HuggingFaceTgi];
        // The holder keeps the only slot while the others queue: long enough for a slow, busy CI machine to queue them all.
        tgi.Enqueue(SimulatedFault.Delay(TimeSpan.FromSeconds(3)));

        async Task Send(string name, RequestPriority priority)
        {
            var (response, _) = await clients.SendAsync(SimulatedApi.HuggingFaceTgi, prepare: r => r.SetApiPriority(priority).SetApiModel(name));
            response.Dispose();
        }

        var holder = Send("holder", RequestPriority.Normal);
        await WaitUntil(() => clients.Reporter.GetQueueMetrics("tgi").ActiveRequests == 1);
        var low = Send("low", RequestPriority.Low);
        await WaitUntil(() => clients.Reporter.GetQueueMetrics("tgi").CurrentQueueSize == 1);
        var normal = Send("normal", RequestPriority.Normal);
        await WaitUntil(() => clients.Reporter.GetQueueMetrics("tgi").CurrentQueueSize == 2);
        var high = Send("high", RequestPriority.High);
        await WaitUntil(() => clients.Reporter.GetQueueMetrics("tgi").CurrentQueueSize == 3);

        await Assert.ThrowsAsync<QueueRejectedException>(() => clients.SendAsync(SimulatedApi.HuggingFaceTgi));
        await Task.WhenAll(holder, low, normal, high);

        Assert.Equal(["holder", "high", "normal", "low"], clients.Admitted);
        var queue = clients.Reporter.GetQueueMetrics("tgi");
        Assert.Equal(1, queue.QueueRejectionCount);
        Assert.Equal(3, queue.MaxQueueLength);
        Assert.Equal(0, queue.CurrentQueueSize);
        Assert.Equal(0, queue.ActiveRequests);
        Assert.True(queue.AvgQueueTimeMs > 0);
        Assert.Equal(1, clients.Reporter.GetErrorMetrics("tgi").ErrorCategories["rate_limiting"]);
    }

    [Fact]
    public async Task A_caller_that_cancels_gets_its_cancellation_and_the_request_counts_as_failed()
    {
        await using var clients = await MonitoredClients.StartAsync();
        clients.Server[SimulatedApi.Llvm].Enqueue(SimulatedFault.Delay(TimeSpan.FromSeconds(10)));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clients.SendAsync(SimulatedApi.Llvm, cancellationToken: cancel.Token));

        var report = clients.Reporter.GetMetricsReport("llvm");
        Assert.Equal(1, report.Failures);
        Assert.Equal(0, report.RetryAttempts);
        Assert.Equal(0, report.Timeouts);
        Assert.Equal(1, report.Errors.ErrorCategories["unexpected"]);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
