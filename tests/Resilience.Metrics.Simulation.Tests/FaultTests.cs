using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Simulation.Tests;

/// <summary>Scripted faults happen in order with each API's real status, body and headers.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task Queued_faults_are_consumed_in_order_one_per_request_then_requests_succeed()
    {
        await using var server = await Sim.StartAsync();
        var control = server[SimulatedApi.OpenAI];
        control.Enqueue(SimulatedFault.Status(429, TimeSpan.FromSeconds(2)), SimulatedFault.Status(503), SimulatedFault.None, SimulatedFault.Status(500));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rateLimited = null;
        for (var i = 0; i < 5; i++)
        {
            var response = await Sim.SendAsync(server, SimulatedApi.OpenAI);
            statuses.Add(response.StatusCode);
            if (i == 0)
            {
                rateLimited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.OK], statuses);
        Assert.Equal(TimeSpan.FromSeconds(2), rateLimited!.Headers.RetryAfter?.Delta);
        using var json = await Sim.JsonAsync(rateLimited);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("requests", error.GetProperty("type").GetString());
        Assert.Contains("gpt-4o-mini", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        rateLimited.Dispose();
        Assert.Equal(5, control.Requests);
        Assert.Equal(2, control.Succeeded);
        Assert.Equal(3, control.Faults);
        Assert.Equal(0, control.PendingFaults);
        Assert.Equal(2L * SimulatedRequests.PromptTokens(SimulatedApi.OpenAI), control.TotalPromptTokens);
    }

    [Fact]
    public async Task A_status_fault_without_retry_after_sends_no_retry_after_header()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.Groq].Enqueue(SimulatedFault.Status(429));
        using var response = await Sim.SendAsync(server, SimulatedApi.Groq);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Sub_second_retry_after_rounds_up_to_whole_seconds()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.Status(503, TimeSpan.FromMilliseconds(200)));
        using var response = await Sim.SendAsync(server, SimulatedApi.OpenAI);

        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
    }

    [Theory]
    [InlineData(SimulatedApi.Anthropic, 429, "error.type=rate_limit_error")]
    [InlineData(SimulatedApi.Anthropic, 529, "error.type=overloaded_error")]
    [InlineData(SimulatedApi.Anthropic, 500, "error.type=api_error")]
    [InlineData(SimulatedApi.Gemini, 429, "error.status=RESOURCE_EXHAUSTED")]
    [InlineData(SimulatedApi.Gemini, 503, "error.status=UNAVAILABLE")]
    [InlineData(SimulatedApi.Opea, 503, "error.type=server_error")]
    [InlineData(SimulatedApi.Llvm, 400, "error.type=invalid_request_error")]
    [InlineData(SimulatedApi.Ollama, 429, "error=server busy, please try again.  maximum pending requests exceeded")]
    [InlineData(SimulatedApi.HuggingFaceTgi, 429, "error_type=overloaded")]
    [InlineData(SimulatedApi.HuggingFaceTgi, 424, "error_type=generation")]
    [InlineData(SimulatedApi.HuggingFaceTei, 429, "error_type=Overloaded")]
    public async Task Status_faults_use_the_api_error_shape(SimulatedApi api, int status, string expected)
    {
        await using var server = await Sim.StartAsync();
        server[api].Enqueue(SimulatedFault.Status(status));
        using var response = await Sim.SendAsync(server, api);
        using var json = await Sim.JsonAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", Sim.MediaType(response));
        var (path, value) = (expected[..expected.IndexOf('=', StringComparison.Ordinal)], expected[(expected.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var element = json.RootElement;
        foreach (var name in path.Split('.'))
        {
            element = element.GetProperty(name);
        }

        Assert.Equal(value, element.GetString());
        if (api == SimulatedApi.Anthropic)
        {
            Assert.Equal("error", json.RootElement.GetProperty("type").GetString());
        }

        if (api == SimulatedApi.Gemini)
        {
            Assert.Equal(status, json.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }
    }

    [Fact]
    public async Task S3_status_fault_is_an_xml_slow_down_with_retry_after()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.S3].Enqueue(SimulatedFault.Status(503, TimeSpan.FromSeconds(1)));
        using var response = await Sim.SendAsync(server, SimulatedApi.S3);
        var body = await Sim.TextAsync(response);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/xml", Sim.MediaType(response));
        Assert.StartsWith("<?xml", body, StringComparison.Ordinal);
        Assert.Contains("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>", body, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.True(response.Headers.Contains("x-amz-request-id"));
    }

    [Fact]
    public async Task Reset_connection_makes_the_client_throw_HttpRequestException()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.Anthropic].Enqueue(SimulatedFault.ResetConnection());
        using var client = Sim.Client(server, SimulatedApi.Anthropic);
        using var request = SimulatedRequests.Create(SimulatedApi.Anthropic);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request, Sim.Ct));
        using var next = await Sim.SendAsync(server, SimulatedApi.Anthropic);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1, server[SimulatedApi.Anthropic].Faults);
        Assert.Equal(1, server[SimulatedApi.Anthropic].Succeeded);
    }

    [Fact]
    public async Task Malformed_body_is_a_200_that_is_not_json()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.MalformedBody());
        using var response = await Sim.SendAsync(server, SimulatedApi.OpenAI);
        var body = await Sim.TextAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", Sim.MediaType(response));
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        Assert.Equal(0, server[SimulatedApi.OpenAI].Succeeded);
    }

    [Fact]
    public async Task Truncated_stream_sends_some_chunks_then_aborts()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.TruncatedStream(chunksBeforeAbort: 3));
        using var client = Sim.Client(server, SimulatedApi.OpenAI);
        using var request = SimulatedRequests.Create(SimulatedApi.OpenAI, stream: true);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Sim.Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Sim.Ct));

        var lines = new List<string>();
        var error = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync(Sim.Ct) is { } line)
            {
                lines.Add(line);
            }
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(3, lines.Count(l => l.StartsWith("data: ", StringComparison.Ordinal)));
        Assert.DoesNotContain("data: [DONE]", lines);
        Assert.Equal(0, server[SimulatedApi.OpenAI].Succeeded);
        Assert.Equal(0, server[SimulatedApi.OpenAI].TotalCompletionTokens);
    }

    [Fact]
    public async Task Truncated_buffered_response_fails_the_client_read()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.Gemini].Enqueue(SimulatedFault.TruncatedStream());
        using var client = Sim.Client(server, SimulatedApi.Gemini);
        using var request = SimulatedRequests.Create(SimulatedApi.Gemini);

        var error = await Record.ExceptionAsync(() => client.SendAsync(request, Sim.Ct));

        Assert.True(error is HttpRequestException or IOException, error?.ToString());
        Assert.Equal(0, server[SimulatedApi.Gemini].Succeeded);
    }

    [Fact]
    public async Task Delay_answers_normally_after_the_delay()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.Opea].Enqueue(SimulatedFault.Delay(TimeSpan.FromMilliseconds(200)));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await Sim.SendAsync(server, SimulatedApi.Opea);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(190), watch.Elapsed.ToString());
        Assert.Equal(1, server[SimulatedApi.Opea].Succeeded);
    }

    [Fact]
    public async Task Delay_stops_when_the_client_gives_up()
    {
        await using var server = await Sim.StartAsync();
        var control = server[SimulatedApi.OpenAI];
        control.Enqueue(SimulatedFault.Delay(TimeSpan.FromSeconds(30)));
        using var client = Sim.Client(server, SimulatedApi.OpenAI, timeout: TimeSpan.FromMilliseconds(200));
        using var request = SimulatedRequests.Create(SimulatedApi.OpenAI);

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.SendAsync(request, Sim.Ct));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Well under the 30 s delay, so a delay that ignores the client still fails; generous for a busy CI machine.
        while (control.InFlight > 0 && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(10, Sim.Ct);
        }

        Assert.Equal(0, control.InFlight);
        Assert.Equal(0, control.Succeeded);
    }

    [Fact]
    public async Task Fault_plan_windows_follow_the_clock_from_assignment()
    {
        var time = new FakeTimeProvider();
        await using var server = await Sim.StartAsync(new SimulationOptions { TimeProvider = time, StreamChunkDelay = TimeSpan.Zero });
        server[SimulatedApi.Ollama].FaultPlan = FaultPlan.None
            .Between(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), SimulatedFault.Status(503))
            .From(TimeSpan.FromSeconds(30), SimulatedFault.Status(429, TimeSpan.FromSeconds(1)));

        var seen = new List<(int Status, string? RetryAfter)>();
        foreach (var advance in new[] { 0, 10, 9, 1, 10 })
        {
            time.Advance(TimeSpan.FromSeconds(advance));
            using var response = await Sim.SendAsync(server, SimulatedApi.Ollama);
            seen.Add(((int)response.StatusCode, response.Headers.TryGetValues("Retry-After", out var v) ? v.Single() : null));
        }

        // t = 0, 10, 19, 20, 30
        Assert.Equal([(200, null), (503, null), (503, null), (200, null), (429, "1")], seen);
    }

    [Fact]
    public async Task Queued_faults_come_before_the_fault_plan()
    {
        await using var server = await Sim.StartAsync();
        var control = server[SimulatedApi.Llvm];
        control.FaultPlan = FaultPlan.None.From(TimeSpan.Zero, SimulatedFault.Status(503));
        control.Enqueue(SimulatedFault.Status(500));

        using var first = await Sim.SendAsync(server, SimulatedApi.Llvm);
        using var second = await Sim.SendAsync(server, SimulatedApi.Llvm);
        control.FaultPlan = null;
        using var third = await Sim.SendAsync(server, SimulatedApi.Llvm);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Random_fault_plan_is_deterministic_for_a_seed()
    {
        var plan = FaultPlan.Random(seed: 42, rateLimitProbability: 0.3, serverErrorProbability: 0.2);

        var first = await StatusesAsync(plan, 40);
        var second = await StatusesAsync(plan, 40);

        Assert.Equal(first, second);
        Assert.Contains(429, first);
        Assert.Contains(503, first);
        Assert.Contains(200, first);
        Assert.NotEqual(first, await StatusesAsync(FaultPlan.Random(seed: 7, rateLimitProbability: 0.3, serverErrorProbability: 0.2), 40));

        static async Task<List<int>> StatusesAsync(FaultPlan plan, int count)
        {
            await using var server = await Sim.StartAsync();
            server[SimulatedApi.Groq].FaultPlan = plan;
            var statuses = new List<int>();
            for (var i = 0; i < count; i++)
            {
                using var response = await Sim.SendAsync(server, SimulatedApi.Groq);
                statuses.Add((int)response.StatusCode);
            }

            return statuses;
        }
    }

    [Fact]
    public void Fault_plan_rejects_probabilities_that_add_up_to_more_than_one() =>
        Assert.Throws<ArgumentException>(() => FaultPlan.Random(1, rateLimitProbability: 0.7, serverErrorProbability: 0.5));

    [Fact]
    public async Task Reset_clears_faults_counters_and_settings()
    {
        await using var server = await Sim.StartAsync();
        var control = server[SimulatedApi.OpenAI];
        using (await Sim.SendAsync(server, SimulatedApi.OpenAI))
        {
        }

        control.Enqueue(SimulatedFault.Status(500));
        control.CompletionTokens = 3;
        control.Latency = LatencyModel.Fixed(TimeSpan.FromSeconds(5));
        control.FaultPlan = FaultPlan.None.From(TimeSpan.Zero, SimulatedFault.Status(503));

        server.Reset();
        using var response = await Sim.SendAsync(server, SimulatedApi.OpenAI);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, control.Requests);
        Assert.Equal(16, control.TotalCompletionTokens);
        Assert.Null(control.FaultPlan);
        Assert.Same(LatencyModel.None, control.Latency);
    }

    [Fact]
    public async Task Invalid_requests_get_400_in_the_api_shape_without_consuming_a_fault()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.Anthropic].Enqueue(SimulatedFault.Status(529));
        using var client = Sim.Client(server, SimulatedApi.Anthropic);
        using var request = Sim.Post("v1/messages", """{"model":"claude-3-haiku","messages":[{"role":"user","content":"hi"}]}""", ("x-api-key", "k"));
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);
        using var openAi = Sim.Client(server, SimulatedApi.OpenAI);
        using var broken = Sim.Post("v1/chat/completions", "{not json", Sim.Bearer);
        using var brokenResponse = await openAi.SendAsync(broken, Sim.Ct);
        using var brokenJson = await Sim.JsonAsync(brokenResponse);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("max_tokens", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, server[SimulatedApi.Anthropic].PendingFaults);
        Assert.Equal(HttpStatusCode.BadRequest, brokenResponse.StatusCode);
        Assert.Equal("invalid_request_error", brokenJson.RootElement.GetProperty("error").GetProperty("type").GetString());
    }
}
