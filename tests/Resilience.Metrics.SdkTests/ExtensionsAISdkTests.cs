using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Resilience.Metrics.SdkTests;

/// <summary>Microsoft.Extensions.AI.OpenAI (11.0.0): <c>AsIChatClient()</c> over the OpenAI package over a monitored HttpClient.</summary>
public sealed class ExtensionsAISdkTests
{
    private const string Model = "gpt-4o-mini";

    private static IChatClient ChatClient(HttpClient http, LoopbackServer server) => OpenAISdkTests.ChatClient(http, server, Model).AsIChatClient();

    private static async Task<ChatResponse> StreamAsync(IChatClient chat, string prompt = "Say hello")
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync(prompt, cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    /// <summary>3 plain, 3 streamed and 2 failed calls, each once under the model the code asked for.</summary>
    private static async Task<(long Prompt, long Completion)> CallAsync(IChatClient chat)
    {
        long prompt = 0, completion = 0;
        for (var i = 0; i < 3; i++)
        {
            var plain = await chat.GetResponseAsync("Say hello", cancellationToken: TestContext.Current.CancellationToken);
            var streamed = await StreamAsync(chat);
            prompt += plain.Usage!.InputTokenCount!.Value + streamed.Usage!.InputTokenCount!.Value;
            completion += plain.Usage.OutputTokenCount!.Value + streamed.Usage.OutputTokenCount!.Value;
        }

        await Assert.ThrowsAnyAsync<Exception>(() => chat.GetResponseAsync("fail:400", cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAnyAsync<Exception>(() => StreamAsync(chat, "fail:500"));
        return (prompt, completion);
    }

    private static Monitored Monitor() => Monitored.Create("openai", null, o =>
    {
        o.ApiFormat = ApiFormat.OpenAI;
        o.Retry.Enabled = false; // one attempt per call
    });

    [Fact]
    public async Task Every_call_is_counted_once_under_the_requested_model_with_exact_tokens()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitor();

        var (prompt, completion) = await CallAsync(ChatClient(monitored.Client, server));

        Assert.Equal(3 * (OpenAIWire.PlainPromptTokens + OpenAIWire.StreamPromptTokens), prompt);
        Assert.Equal(8, server.Attempts);
        Assert.Equal(Figures.Expected(Model, successes: 6, failures: 2, prompt, completion), Figures.Of(monitored.Report, Model));
    }

    /// <summary>The library's own GenAI histogram names the requested model on every request, as M.E.AI's UseOpenTelemetry() does.</summary>
    [Fact]
    public async Task The_operation_duration_histogram_carries_the_requested_model_on_every_request()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitor();
        using var durations = new MetricCollector<double>(monitored.MeterFactory, ApiMonitoringTelemetry.Name, "gen_ai.client.operation.duration");

        await CallAsync(ChatClient(monitored.Client, server));

        var models = durations.GetMeasurementSnapshot()
            .Select(m => m.Tags.TryGetValue("gen_ai.request.model", out var model) ? model as string ?? "(not a string)" : "(none)")
            .ToList();
        Assert.Equal(string.Join(", ", Enumerable.Repeat(Model, 8)), string.Join(", ", models));
    }

    [Fact]
    public async Task The_chat_client_sees_the_same_results_with_and_without_monitoring()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        await Same.ResultsWithAndWithoutMonitoringAsync(monitored, http => ChatClient(http, server), RunAsync);
        Assert.Equal(3, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(IChatClient chat)
        {
            var plain = await chat.GetResponseAsync("Say hello", cancellationToken: TestContext.Current.CancellationToken);
            var streamed = await StreamAsync(chat);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => chat.GetResponseAsync("fail:400", cancellationToken: TestContext.Current.CancellationToken));
            return string.Join(
                "\n",
                Describe(plain),
                Describe(streamed),
                error.GetType().FullName + ": " + error.Message);
        }

        static string Describe(ChatResponse response) =>
            $"{response.ResponseId}|{response.ModelId}|{response.FinishReason}|{response.Text}|{response.Usage?.InputTokenCount}|{response.Usage?.OutputTokenCount}|{response.Usage?.TotalTokenCount}|{response.Usage?.CachedInputTokenCount}|{response.Usage?.ReasoningTokenCount}";
    }
}
