using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// The two layerings of retries docs/operations.md gives for the OpenAI package, which marks nothing on the wire: the
/// SDK's retries with our resilience off (each SDK attempt is a request), or ours with the SDK's off (one request and
/// its retry attempts).
/// </summary>
public sealed class OpenAISdkRetryTests
{
    private const string Model = "gpt-4o-mini";

    private static readonly ChatMessage[] Hello = [new UserChatMessage("Say hello")];

    /// <summary>The SDK's default policy (3 retries of 408, 429 and 5xx), without its backoff so the test is fast.</summary>
    private sealed class NoDelayRetryPolicy : ClientRetryPolicy
    {
        protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount) => TimeSpan.Zero;
    }

    /// <summary>
    /// The server fails the first 5 attempts with 500. The first call fails after the SDK's 4 attempts; the second
    /// fails once and succeeds: 6 attempts, 6 requests, 5 failures, 1 success, no retry attempt.
    /// </summary>
    [Fact]
    public async Task With_the_sdks_retries_and_our_resilience_off_each_sdk_attempt_is_a_request()
    {
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FailFirstAttempts = 5 });
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = ApiFormat.OpenAI;
            o.Resilience = ApiResilience.None;
        });
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server, retryPolicy: new NoDelayRetryPolicy());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(500, error.Status);
        Assert.Equal(4, server.Attempts); // the SDK's first attempt and its 3 retries
        ChatCompletion completion = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(string.Concat(OpenAIWire.Pieces), completion.Content[0].Text);

        var report = monitored.Report;
        Assert.Equal(6, server.Attempts);
        Assert.Equal((6L, 1L, 5L, 0L, 0L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(
            Figures.Expected(Model, successes: 1, failures: 5, prompt: OpenAIWire.PlainPromptTokens, completion: OpenAIWire.PlainCompletionTokens),
            Figures.Of(report, Model));
    }

    /// <summary>
    /// The SDK's retries kept, each marked by <see cref="MarkedRetryPolicy"/> (docs/sdks.md), with our resilience off:
    /// the same 5 failures as above are 2 requests, 1 failure (the call the SDK gave up on), 1 success and 4 retry
    /// attempts, both calls retried; the server's 6 attempts are requests plus retry attempts.
    /// </summary>
    [Fact]
    public async Task With_the_sdks_retries_marked_each_sdk_retry_is_a_retry_attempt_of_its_call()
    {
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FailFirstAttempts = 5 });
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = ApiFormat.OpenAI;
            o.Resilience = ApiResilience.None;
        });
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server, retryPolicy: new NoDelayMarkedRetryPolicy());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(500, error.Status);
        ChatCompletion completion = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(string.Concat(OpenAIWire.Pieces), completion.Content[0].Text);

        var report = monitored.Report;
        Assert.Equal(6, server.Attempts);
        Assert.Equal((2L, 1L, 1L, 4L, 2L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(
            Figures.Expected(Model, successes: 1, failures: 1, prompt: OpenAIWire.PlainPromptTokens, completion: OpenAIWire.PlainCompletionTokens),
            Figures.Of(report, Model));
    }

    /// <summary>The SDK's synchronous calls go through the policy's other path: marked the same.</summary>
    [Fact]
    public async Task A_synchronous_call_s_sdk_retry_is_marked_too()
    {
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FailFirstAttempts = 1 });
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = ApiFormat.OpenAI;
            o.Resilience = ApiResilience.None;
        });
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server, retryPolicy: new NoDelayMarkedRetryPolicy());

        ChatCompletion completion = chat.CompleteChat(Hello, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(string.Concat(OpenAIWire.Pieces), completion.Content[0].Text);
        var report = monitored.Report;
        Assert.Equal(2, server.Attempts);
        Assert.Equal((1L, 1L, 0L, 1L, 1L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
    }

    /// <summary>
    /// The recommended layering: the SDK's retries off, ours on (3 retries by default). 3 failures then a success are
    /// 1 request, 1 success and 3 retry attempts; the server's 4 attempts are requests plus retry attempts.
    /// </summary>
    [Fact]
    public async Task With_the_sdks_retries_off_and_ours_on_failures_then_a_success_are_one_request_and_its_retry_attempts()
    {
        const int failures = 3;
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FailFirstAttempts = failures });
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server, retryPolicy: new ClientRetryPolicy(0));

        ChatCompletion completion = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(string.Concat(OpenAIWire.Pieces), completion.Content[0].Text);
        var report = monitored.Report;
        Assert.Equal(failures + 1, server.Attempts);
        Assert.Equal((1L, 1L, 0L, (long)failures, 1L), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(
            Figures.Expected(Model, successes: 1, failures: 0, prompt: OpenAIWire.PlainPromptTokens, completion: OpenAIWire.PlainCompletionTokens),
            Figures.Of(report, Model));
    }
}
