using OllamaSharp;
using OllamaSharp.Models.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>OllamaSharp (5.5.2) over a monitored HttpClient (<c>new OllamaApiClient(httpClient)</c>), against Ollama's <c>/api/chat</c>.</summary>
public sealed class OllamaSdkTests
{
    private const string Model = "llama3.2";

    private static ChatRequest Ask(string text, bool stream) => new()
    {
        Model = Model,
        Messages = [new Message(ChatRole.User, text)],
        Stream = stream,
    };

    /// <summary>All of one chat call, as the application reads it: the text, and the final object's counts.</summary>
    internal static async Task<(string Text, int Prompt, int Eval)> ChatAsync(OllamaApiClient client, string text = "Why is the sky blue?", bool stream = true)
    {
        var answer = new System.Text.StringBuilder();
        int prompt = 0, eval = 0;
        await foreach (var chunk in client.ChatAsync(Ask(text, stream), TestContext.Current.CancellationToken))
        {
            answer.Append(chunk?.Message.Content);
            if (chunk is ChatDoneResponseStream done)
            {
                prompt = done.PromptEvalCount;
                eval = done.EvalCount;
            }
        }

        return (answer.ToString(), prompt, eval);
    }

    private static Monitored Monitor(LoopbackServer server, bool retries = false, ApiFormat format = ApiFormat.Ollama) => Monitored.Create("ollama", server.BaseAddress, o =>
    {
        o.ApiFormat = format;
        o.Retry.Enabled = retries;
    });

    /// <summary>
    /// 5 plain, 5 streamed (NDJSON) and 2 failed calls: the server's count, each under its model, tokens as the SDK parsed
    /// them. Auto finds Ollama's shape from the path <c>/api/chat</c>.
    /// </summary>
    [Theory]
    [InlineData(ApiFormat.Ollama)]
    [InlineData(ApiFormat.Auto)]
    public async Task Every_call_is_counted_once_under_the_requested_model_with_exact_tokens(ApiFormat format)
    {
        await using var server = await OllamaWire.StartAsync();
        await using var monitored = Monitor(server, format: format);
        var client = new OllamaApiClient(monitored.Client, Model);

        long prompt = 0, completion = 0;
        for (var i = 0; i < 5; i++)
        {
            var plain = await ChatAsync(client, stream: false);
            var streamed = await ChatAsync(client);
            prompt += plain.Prompt + streamed.Prompt;
            completion += plain.Eval + streamed.Eval;
            if (i < 2)
            {
                await Assert.ThrowsAnyAsync<Exception>(() => ChatAsync(client, "fail:" + (i == 0 ? 404 : 500), stream: i == 0));
            }
        }

        Assert.Equal(5 * (OllamaWire.PlainPromptTokens + OllamaWire.StreamPromptTokens), prompt);
        Assert.Equal(12, server.Attempts);
        Assert.Equal(Figures.Expected(Model, successes: 10, failures: 2, prompt, completion), Figures.Of(monitored.Report, Model));
    }

    /// <summary>Our retry on: the server's attempts are the requests plus the retry attempts, the retried call under its model.</summary>
    [Fact]
    public async Task Server_attempts_equal_requests_plus_retry_attempts()
    {
        await using var server = await OllamaWire.StartAsync();
        await using var monitored = Monitor(server, retries: true);
        var client = new OllamaApiClient(monitored.Client, Model);

        await ChatAsync(client);
        await Assert.ThrowsAnyAsync<Exception>(() => ChatAsync(client, "fail:500", stream: false));

        var report = monitored.Report;
        Assert.Equal(5, server.Attempts); // 1 + (1 + 3 retries of the 500)
        Assert.Equal(server.Attempts, report.TotalRequests + report.RetryAttempts);
        Assert.Equal(Figures.Expected(Model, successes: 1, failures: 1, OllamaWire.StreamPromptTokens, OllamaWire.StreamEvalTokens), Figures.Of(report, Model));
    }

    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        await using var server = await OllamaWire.StartAsync();
        await using var monitored = Monitor(server);
        using var plainHttp = new HttpClient { BaseAddress = server.BaseAddress };

        var with = await RunAsync(new OllamaApiClient(monitored.Client, Model));
        var without = await RunAsync(new OllamaApiClient(plainHttp, Model));

        Same.Results(without, with);
        Assert.Equal(3, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(OllamaApiClient client)
        {
            var plain = await ChatAsync(client, stream: false);
            var streamed = await ChatAsync(client);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ChatAsync(client, "fail:404"));
            return string.Join("\n", plain, streamed, error.GetType().FullName + ": " + error.Message);
        }
    }
}
