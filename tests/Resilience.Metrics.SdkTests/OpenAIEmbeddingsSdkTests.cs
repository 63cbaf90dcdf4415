using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Embeddings;

namespace Resilience.Metrics.SdkTests;

/// <summary>The OpenAI package's <c>EmbeddingClient</c> (<c>POST /v1/embeddings</c>) over a monitored HttpClient.</summary>
public sealed class OpenAIEmbeddingsSdkTests
{
    private const string Model = "text-embedding-3-small";

    private static readonly string[] Inputs = ["The food was delicious", "and the waiter was kind"];

    /// <summary>The SDK over <paramref name="http"/>; its own retries off so that every attempt is one the test made.</summary>
    private static EmbeddingClient Client(HttpClient http, LoopbackServer server) =>
        new(Model, new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            Endpoint = new Uri(server.BaseAddress, "v1"),
            RetryPolicy = new ClientRetryPolicy(0),
        });

    private static Task<ClientResult<OpenAIEmbeddingCollection>> EmbedAsync(EmbeddingClient client, params string[] inputs) =>
        client.GenerateEmbeddingsAsync(inputs, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>
    /// 4 calls of 2 inputs, 2 of one and 2 failed: each one request under the model asked for, its prompt tokens what
    /// the SDK parsed, no completion tokens, and every span read as OpenAI's embeddings. Auto finds OpenAI's shape from
    /// the path <c>/v1/embeddings</c>.
    /// </summary>
    [Theory]
    [InlineData(ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Auto)]
    public async Task Every_call_is_counted_once_under_its_model_with_prompt_tokens_only(ApiFormat format)
    {
        // Not "openai": an API Auto does not recognise would get the backend's name as its provider.
        const string backend = "llm-embeddings";
        using var spans = new Spans(backend);
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create(backend, null, o =>
        {
            o.ApiFormat = format;
            o.Retry.Enabled = false;
        });
        var client = Client(monitored.Client, server);

        long prompt = 0;
        for (var i = 0; i < 6; i++)
        {
            string[] inputs = i % 3 == 2 ? [Inputs[0]] : Inputs;
            OpenAIEmbeddingCollection embeddings = await EmbedAsync(client, inputs);
            Assert.Equal(inputs.Select(t => string.Join(",", OpenAIResponsesWire.Vector(t))), embeddings.Select(e => string.Join(",", e.ToFloats().ToArray())));
            prompt += embeddings.Usage.InputTokenCount;
            if (i % 3 == 0)
            {
                var error = await Assert.ThrowsAsync<ClientResultException>(() => EmbedAsync(client, "fail:400"));
                Assert.Equal(400, error.Status);
            }
        }

        // The SDK asked for base64 and parsed what the server wrote.
        Assert.All(server.Received, r => Assert.Contains("\"encoding_format\":\"base64\"", r.Body, StringComparison.Ordinal));
        Assert.Equal(10 * OpenAIResponsesWire.EmbeddingTokensPerInput, prompt);
        Assert.Equal(8, server.Attempts);
        var report = monitored.Report;
        Assert.Equal(Figures.Expected(Model, successes: 6, failures: 2, prompt: prompt, completion: 0), Figures.Of(report, Model));
        Assert.Equal(new TokenCounts(prompt, 0), report.TokenCounts);
        Assert.Equal([Model], report.Models[Model].ResponseModels);
        Assert.Equal(Enumerable.Repeat("openai/embeddings", 8), spans.ProvidersAndOperations);
    }

    /// <summary>The SDK's embeddings, raw bytes included, are the same with and without monitoring.</summary>
    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        await using var server = await OpenAIWire.StartAsync();
        await using var monitored = Monitored.Create("openai", null, o => o.ApiFormat = ApiFormat.OpenAI);
        await Same.ResultsWithAndWithoutMonitoringAsync(monitored, http => Client(http, server), RunAsync);
        Assert.Equal(3, monitored.Report.TotalRequests);

        static async Task<string> RunAsync(EmbeddingClient client)
        {
            var many = await EmbedAsync(client, Inputs);
            OpenAIEmbedding one = await client.GenerateEmbeddingAsync(Inputs[1], cancellationToken: TestContext.Current.CancellationToken);
            var error = await Assert.ThrowsAsync<ClientResultException>(() => EmbedAsync(client, "fail:429"));
            return string.Join(
                "\n",
                many.GetRawResponse().Content.ToString(),
                string.Join(";", many.Value.Select(e => $"{e.Index}:{string.Join(",", e.ToFloats().ToArray())}")),
                $"{many.Value.Model}|{many.Value.Usage.InputTokenCount}|{many.Value.Usage.TotalTokenCount}",
                $"{one.Index}:{string.Join(",", one.ToFloats().ToArray())}",
                $"{error.Status}|{error.GetRawResponse()?.Content}");
        }
    }
}
