using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// The layerings of retries docs/operations.md and docs/sdks.md give for the OpenAI package, which marks nothing on the
/// wire: the SDK's retries with our resilience off (each SDK attempt is a request, unless <see cref="MarkedRetryPolicy"/>
/// numbers them), or ours with the SDK's off (one request and its retry attempts).
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
    /// The server fails the first 5 attempts with 500, our resilience is off, and the SDK retries (3 retries): the first
    /// call fails after its 4 attempts, the second fails once and succeeds, 6 attempts at the server in all.
    /// <list type="bullet">
    /// <item>The SDK's own policy marks nothing: each SDK attempt is a request (6 requests, 5 failures, no retry attempt).</item>
    /// <item><see cref="MarkedRetryPolicy"/> (docs/sdks.md) numbers the tries: each SDK retry is a retry attempt of its
    /// call (2 requests, 1 failure, 4 retry attempts, both calls retried).</item>
    /// </list>
    /// </summary>
    [Theory]
    [InlineData(false, 6, 5, 0, 0)]
    [InlineData(true, 2, 1, 4, 2)]
    public async Task With_the_sdks_retries_and_our_resilience_off_the_sdk_s_attempts_are_counted_as_its_policy_marks_them(
        bool marked, long requests, long failures, long retryAttempts, long retried)
    {
        await using var server = await OpenAIWire.StartAsync(new OpenAIWireOptions { FailFirstAttempts = 5 });
        await using var monitored = Monitored.Create("openai", null, o =>
        {
            o.ApiFormat = ApiFormat.OpenAI;
            o.Resilience = ApiResilience.None;
        });
        var chat = OpenAISdkTests.ChatClient(monitored.Client, server, retryPolicy: marked ? new NoDelayMarkedRetryPolicy() : new NoDelayRetryPolicy());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(500, error.Status);
        Assert.Equal(4, server.Attempts); // the SDK's first attempt and its 3 retries
        ChatCompletion completion = await chat.CompleteChatAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(string.Concat(OpenAIWire.Pieces), completion.Content[0].Text);

        var report = monitored.Report;
        Assert.Equal(6, server.Attempts);
        Assert.Equal((requests, 1L, failures, retryAttempts, retried), (report.TotalRequests, report.Successes, report.Failures, report.RetryAttempts, report.Retries));
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(
            Figures.Expected(Model, successes: 1, failures: failures, prompt: OpenAIWire.PlainPromptTokens, completion: OpenAIWire.PlainCompletionTokens),
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
