using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;

namespace Resilience.Metrics.SdkTests;

/// <summary>The official Anthropic package (13.15.0) over a monitored HttpClient, against the Messages API's wire format.</summary>
public sealed class AnthropicSdkTests
{
    private const string Model = "claude-sonnet-4-5";

    /// <summary>The SDK over <paramref name="http"/> (its <c>HttpClient</c> and <c>BaseUrl</c> options); its own retries off.</summary>
    internal static AnthropicClient Client(HttpClient http, LoopbackServer server) => new()
    {
        HttpClient = http,
        BaseUrl = server.BaseAddress.ToString().TrimEnd('/'),
        ApiKey = "sk-ant-test",
        MaxRetries = 0,
    };

    private static MessageCreateParams Ask(string text) => new()
    {
        Model = Model,
        MaxTokens = 256,
        Messages = [new UserMessageParam(text)],
    };

    internal static async Task<(string Text, long Input, long Output, long CacheRead, long CacheWrite)> StreamAsync(AnthropicClient client)
    {
        var text = new System.Text.StringBuilder();
        long input = 0, output = 0, cacheRead = 0, cacheWrite = 0;
        await foreach (var e in client.Messages.CreateStreaming(Ask("Say hello"), TestContext.Current.CancellationToken))
        {
            if (e.TryPickStart(out var start))
            {
                input = start.Message.Usage.InputTokens;
                cacheRead = start.Message.Usage.CacheReadInputTokens ?? 0;
                cacheWrite = start.Message.Usage.CacheCreationInputTokens ?? 0;
            }
            else if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var piece))
            {
                text.Append(piece.Text);
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                output = messageDelta.Usage.OutputTokens; // cumulative: the whole message's
            }
        }

        return (text.ToString(), input, output, cacheRead, cacheWrite);
    }

    private static Monitored Monitor(bool retries = false, ApiFormat format = ApiFormat.Anthropic) => Monitored.Create("anthropic", null, o =>
    {
        o.ApiFormat = format;
        o.Retry.Enabled = retries;
    });

    /// <summary>Prompt tokens each call of the test server reads from or writes to the prompt cache, beside its input_tokens.</summary>
    private const long CacheTokensPerCall = AnthropicWire.CacheReadTokens + AnthropicWire.CacheCreationTokens;

    /// <summary>5 plain, 5 streamed and 3 failed calls: the server's count, each under the requested alias, tokens as the SDK parsed them.</summary>
    [Theory]
    [InlineData(ApiFormat.Anthropic)]
    [InlineData(ApiFormat.Auto)]
    public async Task Every_call_is_counted_once_under_the_requested_model_with_exact_tokens(ApiFormat format)
    {
        await using var server = await AnthropicWire.StartAsync();
        await using var monitored = Monitor(format: format);
        var client = Client(monitored.Client, server);

        long input = 0, output = 0, cacheRead = 0, cacheWrite = 0;
        for (var i = 0; i < 5; i++)
        {
            var message = await client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken);
            var streamed = await StreamAsync(client);
            input += message.Usage.InputTokens + streamed.Input;
            output += message.Usage.OutputTokens + streamed.Output;
            cacheRead += (message.Usage.CacheReadInputTokens ?? 0) + streamed.CacheRead;
            cacheWrite += (message.Usage.CacheCreationInputTokens ?? 0) + streamed.CacheWrite;
            if (i < 3)
            {
                var status = new[] { 400, 429, 500 }[i];
                var error = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Ask("fail:" + status), TestContext.Current.CancellationToken));
                Assert.Equal(status, (int)error.StatusCode);
            }
        }

        // The SDK's input_tokens leave out the tokens read from and written to the prompt cache; the report's prompt
        // tokens are the whole prompt (as OpenAI counts it), so they add them; cached tokens are the cache reads,
        // cache-write tokens the cache writes.
        Assert.Equal(5 * (AnthropicWire.PlainInputTokens + AnthropicWire.StreamInputTokens), input);
        Assert.Equal(5 * (AnthropicWire.PlainOutputTokens + AnthropicWire.StreamOutputTokens), output);
        Assert.Equal((10L * AnthropicWire.CacheReadTokens, 10L * AnthropicWire.CacheCreationTokens), (cacheRead, cacheWrite));
        Assert.Equal(13, server.Attempts);
        var report = monitored.Report;
        Assert.Equal(Figures.Expected(Model, successes: 10, failures: 3, input + cacheRead + cacheWrite, output), Figures.Of(report, Model));
        Assert.Equal((cacheRead, cacheWrite), (report.TokenCounts.Cached, report.TokenCounts.CacheWrite));
        Assert.Equal((cacheRead, cacheWrite), (report.Models[Model].TokenCounts.Cached, report.Models[Model].TokenCounts.CacheWrite));

        // Anthropic's rate-limit headers of the last of the 13 attempts, resets as RFC 3339 times a minute ahead.
        var requests = report.RateLimits.Requests!;
        Assert.Equal((AnthropicWire.RequestLimit, AnthropicWire.RequestLimit - 13L), (requests.Limit, requests.Remaining));
        Assert.InRange(requests.ResetSeconds!.Value, 0, 61);
        var inputTokens = report.RateLimits.InputTokens!;
        Assert.Equal((AnthropicWire.InputTokenLimit, AnthropicWire.InputTokenLimit - 1_300L), (inputTokens.Limit, inputTokens.Remaining));
        Assert.Null(report.RateLimits.OutputTokens);
        Assert.Equal(0, report.RateLimits.MalformedHeaders);
    }

    /// <summary>
    /// A plain and a streamed call with a price table: cache reads and cache writes as the SDK parsed them, and a cost
    /// from Anthropic's own split (input_tokens leave both out), each part at its price.
    /// </summary>
    [Fact]
    public async Task Cache_writes_are_counted_as_the_sdk_parsed_them_and_priced_at_their_own_price()
    {
        await using var server = await AnthropicWire.StartAsync();
        await using var monitored = Monitored.Create("anthropic", null, o =>
        {
            o.ApiFormat = ApiFormat.Anthropic;
            o.Pricing[Model] = new ModelPrice { InputPerMillion = 3, OutputPerMillion = 15, CachedInputPerMillion = 0.3, CacheWriteInputPerMillion = 3.75 };
        });
        var client = Client(monitored.Client, server);

        var message = await client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken);
        var streamed = await StreamAsync(client);

        var input = message.Usage.InputTokens + streamed.Input;
        var cacheRead = (message.Usage.CacheReadInputTokens ?? 0) + streamed.CacheRead;
        var cacheWrite = (message.Usage.CacheCreationInputTokens ?? 0) + streamed.CacheWrite;
        var output = message.Usage.OutputTokens + streamed.Output;
        var report = monitored.Report;
        Assert.Equal(new TokenCounts(input + cacheRead + cacheWrite, output) { Cached = cacheRead, CacheWrite = cacheWrite }, report.TokenCounts);
        Assert.Equal(report.TokenCounts, report.Models[Model].TokenCounts);

        // (21 + 25) × 3 + (4 + 4) × 0.30 + (6 + 6) × 3.75 + (9 + 15) × 15 USD per million = 545.4 / 1,000,000 USD
        // (536.4 with the cache writes at the input price, as before CacheWriteInputPerMillion).
        var expected = ((input * 3) + (cacheRead * 0.3) + (cacheWrite * 3.75) + (output * 15)) / 1_000_000;
        Assert.Equal(0.0005454, expected, 12);
        Assert.Equal(expected, report.CostUsd!.Value, 12);
        Assert.Equal(expected, report.Models[Model].CostUsd!.Value, 12);
    }

    /// <summary>Our retry on, the SDK's off: the server's attempts are the requests plus the retry attempts.</summary>
    [Fact]
    public async Task Server_attempts_equal_requests_plus_retry_attempts()
    {
        await using var server = await AnthropicWire.StartAsync();
        await using var monitored = Monitor(retries: true);
        var client = Client(monitored.Client, server);

        await client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Ask("fail:529"), TestContext.Current.CancellationToken));
        Assert.Equal(529, (int)error.StatusCode);

        var report = monitored.Report;
        Assert.Equal(5, server.Attempts); // 1 + (1 + 3 retries of the overloaded 529)
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(Figures.Expected(Model, successes: 1, failures: 1, AnthropicWire.PlainInputTokens + CacheTokensPerCall, AnthropicWire.PlainOutputTokens), Figures.Of(report, Model));
    }

    /// <summary>
    /// The SDK's own retries on (2), ours off, against a 429 that clears after <paramref name="rateLimited"/> attempts:
    /// the SDK marks each retry on the wire (<c>x-stainless-retry-count</c>), and the monitoring counts it as a retry
    /// attempt of the same call, not as a new request. One call is one request, whatever the SDK did.
    /// </summary>
    [Theory]
    [InlineData(true, 1)]    // monitor-only: the SDK's retry succeeds
    [InlineData(false, 1)]   // full monitoring with our retry off: the same
    [InlineData(true, 3)]    // the SDK gives up after its 2 retries: one failed request
    [InlineData(false, 3)]
    public async Task An_sdk_retry_is_a_retry_attempt_of_the_call_not_a_new_request(bool monitorOnly, int rateLimited)
    {
        await using var server = await AnthropicWire.StartAsync(rateLimitedAttempts: rateLimited);
        await using var monitored = Monitored.Create("anthropic", null, o =>
        {
            o.ApiFormat = ApiFormat.Anthropic;
            if (monitorOnly)
            {
                o.Resilience = ApiResilience.None;
            }
            else
            {
                o.Retry.Enabled = false;
            }
        });
        var client = new AnthropicClient
        {
            HttpClient = monitored.Client,
            BaseUrl = server.BaseAddress.ToString().TrimEnd('/'),
            ApiKey = "sk-ant-test",
            MaxRetries = 2,
        };

        var succeeds = rateLimited < 3;
        if (succeeds)
        {
            var message = await client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken);
            Assert.Equal(AnthropicWire.PlainOutputTokens, message.Usage.OutputTokens);
        }
        else
        {
            var error = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken));
            Assert.Equal(429, (int)error.StatusCode);
        }

        // What the monitoring reads: the SDK numbers its attempts from 0.
        var attempts = succeeds ? rateLimited + 1 : 3;
        Assert.Equal(Enumerable.Range(0, attempts).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), server.Received.Select(r => r.RetryCount));

        var report = monitored.Report;
        Assert.Equal(
            succeeds
                ? Figures.Expected(Model, successes: 1, failures: 0, AnthropicWire.PlainInputTokens + CacheTokensPerCall, AnthropicWire.PlainOutputTokens)
                : Figures.Expected(Model, successes: 0, failures: 1, 0, 0),
            Figures.Of(report, Model));
        Assert.Equal(attempts - 1, report.RetryAttempts);
        Assert.Equal(1, report.Retries);
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
    }

    /// <summary>
    /// Both layers retrying (docs/operations.md advises one): attempts stay exact, but nothing on the wire ties the SDK's
    /// attempts together, so a call that our retry retried and the SDK then retried counts twice as retried.
    /// </summary>
    [Fact]
    public async Task With_the_sdks_retries_and_ours_both_on_attempts_are_exact_and_a_call_both_retried_counts_twice_as_retried()
    {
        // Our retry makes 4 attempts of the SDK's first (all 429), then the SDK's second attempt succeeds (4 failures stay
        // under the circuit breaker's threshold of 5).
        await using var server = await AnthropicWire.StartAsync(rateLimitedAttempts: 4);
        await using var monitored = Monitored.Create("anthropic", null, o => o.ApiFormat = ApiFormat.Anthropic);
        var client = new AnthropicClient
        {
            HttpClient = monitored.Client,
            BaseUrl = server.BaseAddress.ToString().TrimEnd('/'),
            ApiKey = "sk-ant-test",
            MaxRetries = 2,
        };

        var message = await client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken);

        Assert.Equal(AnthropicWire.PlainOutputTokens, message.Usage.OutputTokens);
        Assert.Equal(["0", "0", "0", "0", "1"], server.Received.Select(r => r.RetryCount));
        var report = monitored.Report;
        Assert.Equal((1, 1, 0), (report.TotalRequests, report.Successes, report.Failures));
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(2, report.Retries);
    }

    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        await using var server = await AnthropicWire.StartAsync();
        await using var monitored = Monitored.Create("anthropic", null, o => o.ApiFormat = ApiFormat.Anthropic);
        await Same.ResultsWithAndWithoutMonitoringAsync(monitored, http => Client(http, server), RunAsync);
        Assert.Equal(3, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(AnthropicClient client)
        {
            var message = await client.Messages.Create(Ask("Say hello"), TestContext.Current.CancellationToken);
            var streamed = await StreamAsync(client);
            var error = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Ask("fail:400"), TestContext.Current.CancellationToken));
            return string.Join("\n", message.ToString(), streamed.ToString(), $"{error.GetType().FullName} {(int)error.StatusCode} {error.Message}");
        }
    }
}
