using System.Text;

namespace Resilience.Metrics.Tests;

/// <summary>The 12th format: Azure OpenAI, added as one descriptor; the deployment in the URL is the request's model.</summary>
public sealed class AzureOpenAIFormatTests
{
    private const string ChatUrl = "https://contoso.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21";

    [Theory]
    [InlineData(ChatUrl)]
    [InlineData("https://contoso.openai.azure.com/openai/deployments/my-gpt4o/embeddings?api-version=2024-10-21")]
    [InlineData("https://gateway.example.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21")]
    public void Auto_detects_azure_urls_before_the_openai_compatible_paths(string url) =>
        Assert.Equal(ApiFormat.AzureOpenAI, ApiFormatDetector.Detect(new Uri(url)));

    [Theory]
    [InlineData(ApiFormat.AzureOpenAI, ChatUrl, "my-gpt4o")]
    [InlineData(ApiFormat.Auto, ChatUrl, "my-gpt4o")]
    [InlineData(ApiFormat.AzureOpenAI, "https://contoso.openai.azure.com/openai/deployments/my%20model/completions", "my model")]
    [InlineData(ApiFormat.AzureOpenAI, "https://contoso.openai.azure.com/openai/models?api-version=2024-10-21", null)]
    public void The_deployment_is_the_model(ApiFormat format, string url, string? expected) =>
        Assert.Equal(expected, ModelExtractor.FromUrl(format, new Uri(url)));

    [Fact]
    public void A_request_without_a_model_in_its_body_is_counted_under_its_deployment()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl)
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };

        Assert.Equal("my-gpt4o", new HttpUsageExtractor().GetRequestModel(request, ApiFormat.Auto));
    }

    /// <summary>Azure's v1 API (<c>/openai/v1/…</c>, no deployment in the URL): the body's <c>model</c> names the deployment.</summary>
    [Theory]
    [InlineData("https://contoso.openai.azure.com/openai/v1/chat/completions", ApiFormat.AzureOpenAI)]
    [InlineData("https://contoso.openai.azure.com/openai/v1/responses", ApiFormat.AzureOpenAI)]
    [InlineData("https://contoso.cognitiveservices.azure.com/openai/v1/chat/completions", ApiFormat.OpenAI)]
    public void A_v1_api_request_is_counted_under_the_deployment_its_body_names(string url, ApiFormat detected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("""{"model":"my-gpt4o","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };

        Assert.Equal(detected, ApiFormatDetector.Detect(new Uri(url)));
        Assert.Equal("my-gpt4o", new HttpUsageExtractor().GetRequestModel(request, ApiFormat.Auto));
        Assert.Equal("my-gpt4o", new HttpUsageExtractor().GetRequestModel(request, ApiFormat.AzureOpenAI));
    }

    [Fact]
    public void Responses_and_streams_are_read_as_openai_with_cached_and_reasoning_tokens()
    {
        var body = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-11-20","choices":[],
             "usage":{"prompt_tokens":120,"completion_tokens":40,"total_tokens":160,
                      "prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":12,"audio_tokens":0}}}
            """u8;

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.AzureOpenAI, body, out var usage));
        Assert.Equal(new TokenUsage(120, 40, "gpt-4o-2024-11-20") { CachedTokens = 64, ReasoningTokens = 12 }, usage);

        using var parser = new EventStreamUsageParser(ApiFormat.AzureOpenAI);
        parser.Feed("data: {\"model\":\"gpt-4o-2024-11-20\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"u8);
        parser.Feed("data: {\"model\":\"gpt-4o-2024-11-20\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\ndata: [DONE]\n\n"u8);
        Assert.True(parser.Complete);
        Assert.Equal(new TokenUsage(9, 3, "gpt-4o-2024-11-20"), parser.Usage);
    }

    [Fact]
    public void Its_genai_provider_is_azure_openai() =>
        Assert.Equal("azure.ai.openai", ApiFormats.Get(ApiFormat.AzureOpenAI).ProviderName);
}
