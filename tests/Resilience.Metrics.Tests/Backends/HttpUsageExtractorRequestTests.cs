using System.Net.Http.Json;
using System.Text;

namespace Resilience.Metrics.Tests;

public sealed class HttpUsageExtractorRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_explicit_model_comes_first()
    {
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent")
        {
            Content = new StringContent("""{"model":"from-body"}""", Encoding.UTF8, "application/json"),
        };
        request.SetApiModel("explicit");

        Assert.Equal("explicit", extractor.GetRequestModel(request, ApiFormat.Auto));
    }

    [Fact]
    public void The_url_comes_before_the_body()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.Gemini);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent")
        {
            Content = new StringContent("""{"model":"from-body"}""", Encoding.UTF8, "application/json"),
        };

        Assert.Equal("gemini-2.0-flash", extractor.GetRequestModel(request));
    }

    [Theory]
    [InlineData(ApiFormat.Auto, "https://api.openai.com/v1/chat/completions")]
    [InlineData(ApiFormat.Anthropic, "https://api.anthropic.com/v1/messages")]
    [InlineData(ApiFormat.Ollama, "http://localhost:11434/api/chat")]
    [InlineData(ApiFormat.Generic, "https://example.com/anything")]
    public async Task The_body_model_is_read_without_consuming_or_changing_the_content(ApiFormat format, string url)
    {
        const string body = """{"messages":[{"role":"user","content":"Hi, model"}],"model":"gpt-4o-mini","stream":true}""";
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        string? first = extractor.GetRequestModel(request, format);
        string? second = extractor.GetRequestModel(request, format);

        Assert.Equal("gpt-4o-mini", first);
        Assert.Equal(first, second);
        Assert.Equal(body, await request.Content.ReadAsStringAsync(Ct));
        using var reader = new StreamReader(await request.Content.ReadAsStreamAsync(Ct));
        Assert.Equal(body, await reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public void Byte_array_and_read_only_memory_contents_are_read()
    {
        var extractor = new HttpUsageExtractor();
        byte[] body = """{"model":"llama3.2"}"""u8.ToArray();
        using var byteArray = new HttpRequestMessage(HttpMethod.Post, "http://localhost:11434/api/generate") { Content = new ByteArrayContent(body) };
        using var memory = new HttpRequestMessage(HttpMethod.Post, "http://localhost:11434/api/generate") { Content = new ReadOnlyMemoryContent(body) };
        using var slice = new HttpRequestMessage(HttpMethod.Post, "http://localhost:11434/api/generate")
        {
            Content = new ByteArrayContent([.. "xx"u8, .. body, .. "yy"u8], 2, body.Length),
        };

        Assert.Equal("llama3.2", extractor.GetRequestModel(byteArray, ApiFormat.Auto));
        Assert.Equal("llama3.2", extractor.GetRequestModel(memory, ApiFormat.Auto));
        Assert.Equal("llama3.2", extractor.GetRequestModel(slice, ApiFormat.Auto));
    }

    [Fact]
    public void A_streamed_body_is_never_read()
    {
        var extractor = new HttpUsageExtractor();
        var stream = new ChunkedReadStream("""{"model":"m"}"""u8.ToArray(), failAtOffset: 0, failure: new InvalidOperationException("must not be read"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StreamContent(stream),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        Assert.Null(extractor.GetRequestModel(request, ApiFormat.Auto));
        Assert.Equal(0, stream.ReadCalls);
    }

    [Fact]
    public async Task A_serialize_on_demand_json_content_is_not_read()
    {
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "gpt-4o" }),
        };

        Assert.Null(extractor.GetRequestModel(request, ApiFormat.Auto));
        Assert.Contains("gpt-4o", await request.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_larger_than_the_limit_is_not_read()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI, maxJsonBodyBytes: 100);
        string body = """{"model":"gpt-4o","messages":[{"role":"user","content":" """ + new string('x', 200) + "\"}]}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        Assert.Null(extractor.GetRequestModel(request));
    }

    [Fact]
    public void Non_json_bodies_and_s3_requests_are_not_read()
    {
        var extractor = new HttpUsageExtractor();
        using var form = new HttpRequestMessage(HttpMethod.Post, "https://example.com/api")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("model", "m")]),
        };
        using var octets = new HttpRequestMessage(HttpMethod.Post, "https://example.com/api") { Content = new ByteArrayContent("""{"model":"m"}"""u8.ToArray()) };
        octets.Content.Headers.TryAddWithoutValidation("Content-Type", "application/octet-stream");
        using var s3 = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/key") { Content = new StringContent("""{"model":"m"}""") };

        Assert.Null(extractor.GetRequestModel(form, ApiFormat.Auto));
        Assert.Null(extractor.GetRequestModel(octets, ApiFormat.Auto));
        Assert.Null(extractor.GetRequestModel(s3, ApiFormat.Auto));
    }

    [Fact]
    public void Plain_text_content_from_a_string_is_read()
    {
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.groq.com/openai/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"llama-3.1-8b-instant"}"""),
        };

        Assert.Equal("llama-3.1-8b-instant", extractor.GetRequestModel(request, ApiFormat.Auto));
    }

    [Theory]
    [InlineData("{\"model\":\"" + "gpt")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[[[[[[[[[[")]
    public void Malformed_bodies_give_no_model(string body)
    {
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        Assert.Null(extractor.GetRequestModel(request, ApiFormat.Auto));
    }

    [Fact]
    public void A_disposed_content_gives_no_model_and_no_exception()
    {
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m"}"""),
        };
        request.Content.Dispose();

        Assert.Null(extractor.GetRequestModel(request, ApiFormat.Auto));
    }

    [Fact]
    public void No_request_content_gives_no_model()
    {
        var extractor = new HttpUsageExtractor();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.openai.com/v1/models");

        Assert.Null(extractor.GetRequestModel(request, ApiFormat.Auto));
    }

    [Fact]
    public void The_explicit_model_and_non_matching_paths_do_not_allocate()
    {
        var extractor = new HttpUsageExtractor();
        using var explicitModel = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions");
        explicitModel.SetApiModel("gpt-4o");
        using var streamed = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream()),
        };
        extractor.GetRequestModel(explicitModel, ApiFormat.Auto);
        extractor.GetRequestModel(streamed, ApiFormat.Auto);

        long before = GC.GetAllocatedBytesForCurrentThread();
        string? model = null;
        string? none = "x";
        for (int i = 0; i < 100; i++)
        {
            model = extractor.GetRequestModel(explicitModel, ApiFormat.Auto);
            none = extractor.GetRequestModel(streamed, ApiFormat.Auto);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("gpt-4o", model);
        Assert.Null(none);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_constructor_rejects_a_non_positive_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpUsageExtractor(ApiFormat.Auto, 0));
        Assert.Equal(1 << 20, new HttpUsageExtractor().MaxJsonBodyBytes);
        Assert.Equal(ApiFormat.Auto, new HttpUsageExtractor().Format);
    }

    [Fact]
    public void ResolveFormat_detects_only_for_auto()
    {
        var uri = new Uri("https://api.anthropic.com/v1/messages");

        Assert.Equal(ApiFormat.Anthropic, new HttpUsageExtractor().ResolveFormat(new HttpRequestMessage(HttpMethod.Post, uri)));
        Assert.Equal(ApiFormat.Ollama, new HttpUsageExtractor(ApiFormat.Ollama).ResolveFormat(new HttpRequestMessage(HttpMethod.Post, uri)));
    }

    [Fact]
    public void A_request_model_equal_to_the_hint_is_the_hint_itself()
    {
        string hint = string.Concat("gpt-4o-", "mini".AsSpan()); // a string of its own, not the interned literal
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent("""{"messages":[],"model":"gpt-4o-mini"}""", System.Text.Encoding.UTF8, "application/json"),
        };

        Assert.Same(hint, new HttpUsageExtractor().GetRequestModel(request, ApiFormat.OpenAI, modelHint: hint));
        Assert.Equal("gpt-4o-mini", new HttpUsageExtractor().GetRequestModel(request, ApiFormat.OpenAI, modelHint: "gpt-4o"));
    }

}
