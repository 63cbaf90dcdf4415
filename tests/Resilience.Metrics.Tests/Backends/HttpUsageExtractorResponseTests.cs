using System.Net;
using System.Text;
using static Resilience.Metrics.Tests.BackendSamples;

namespace Resilience.Metrics.Tests;

public sealed class HttpUsageExtractorResponseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<ApiFormat, string, string, long, long, string?> JsonResponses => new()
    {
        { ApiFormat.Auto, "https://api.openai.com/v1/chat/completions", OpenAIChatCompletion, 19, 10, "gpt-4o-2024-08-06" },
        { ApiFormat.Auto, "https://api.anthropic.com/v1/messages", AnthropicMessage, 12, 6, "claude-sonnet-4-20250514" },
        { ApiFormat.Auto, "https://api.groq.com/openai/v1/chat/completions", GroqChatCompletion, 18, 556, "llama3-8b-8192" },
        { ApiFormat.Auto, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", GeminiGenerateContent, 2, 10, "gemini-2.0-flash" },
        { ApiFormat.Auto, "http://localhost:11434/api/generate", OllamaGenerate, 26, 290, "llama3.2" },
        { ApiFormat.Auto, "http://tgi:8080/generate", TgiGenerate, 0, 20, null },
        { ApiFormat.Auto, "http://tei:8080/v1/embeddings", TeiOpenAIEmbeddings, 7, 0, "BAAI/bge-large-en-v1.5" },
        { ApiFormat.Auto, "http://ovms:8000/v3/chat/completions", OvmsChatCompletion, 27, 30, "meta-llama/Meta-Llama-3-8B-Instruct" },
        { ApiFormat.Opea, "http://opea:8888/v1/chatqna", OpeaChatQnA, 41, 72, "chatqna" },
        { ApiFormat.Llvm, "http://llvm:8000/generate", LlvmResponse, 11, 9, "llvm-codegen-7b" },
    };

    [Theory]
    [MemberData(nameof(JsonResponses))]
    public async Task A_json_response_of_known_length_is_read_and_stays_readable(ApiFormat format, string url, string body, long prompt, long completion, string? model)
    {
        var extractor = new HttpUsageExtractor(format);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var content = new StreamContent(new ChunkedReadStream(bytes, chunkSize: 100));
        content.Headers.ContentLength = bytes.Length;
        using HttpResponseMessage response = TestResponses.Create(content, "application/json; charset=utf-8", url);
        int callbacks = 0;

        TokenUsage usage = await extractor.InspectResponseAsync(response, _ => callbacks++, Ct);

        Assert.Equal(new TokenUsage(prompt, completion, model), usage);
        Assert.Same(content, response.Content);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, callbacks);
    }

    [Fact]
    public async Task A_buffered_json_response_can_still_be_streamed_by_the_caller()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI);
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIChatCompletion);
        using HttpResponseMessage response = TestResponses.Create(new ByteArrayContent(bytes), "application/vnd.api+json");

        TokenUsage usage = await extractor.InspectResponseAsync(response, null, Ct);

        Assert.True(usage.HasTokens);
        using var copy = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync(Ct)).CopyToAsync(copy, Ct);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("application/octet-stream")]
    [InlineData("image/png")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task Other_media_types_are_left_alone(string? contentType)
    {
        var extractor = new HttpUsageExtractor();
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIChatCompletion);
        var content = new StreamContent(new ChunkedReadStream(bytes));
        using HttpResponseMessage response = TestResponses.Create(content, contentType, "https://api.openai.com/v1/chat/completions");

        TokenUsage usage = await extractor.InspectResponseAsync(response, _ => Assert.Fail("no callback"), Ct);

        Assert.Equal(default, usage);
        Assert.Same(content, response.Content);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory]
    [InlineData("application/json", "gzip")]
    [InlineData("text/event-stream", "gzip")]
    [InlineData("application/json", "br")]
    [InlineData("application/x-ndjson", "deflate")]
    public async Task A_compressed_body_the_handler_did_not_decompress_is_left_alone(string contentType, string encoding)
    {
        var extractor = new HttpUsageExtractor();
        var content = new ByteArrayContent([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00]);
        content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        using HttpResponseMessage response = TestResponses.Create(content, contentType);

        TokenUsage usage = await extractor.InspectResponseAsync(response, ApiFormat.Generic, _ => Assert.Fail("no callback"), Ct);

        Assert.Equal(default, usage);
        Assert.Same(content, response.Content);
    }

    [Fact]
    public async Task Identity_encoding_is_read()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(OpenAIChatCompletion));
        content.Headers.TryAddWithoutValidation("Content-Encoding", "identity");
        using HttpResponseMessage response = TestResponses.Create(content, "application/json");

        TokenUsage usage = await extractor.InspectResponseAsync(response, null, Ct);

        Assert.Equal(19, usage.PromptTokens);
    }

    [Fact]
    public async Task A_response_model_equal_to_the_hint_is_the_hint_itself_in_memory_or_loaded()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI);
        byte[] body = """{"model":"gpt-4o-2024-08-06","usage":{"prompt_tokens":19,"completion_tokens":10,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3}}}"""u8.ToArray();
        using HttpResponseMessage inMemory = TestResponses.Create(new ByteArrayContent(body), "application/json");
        var loadedContent = new StreamContent(new MemoryStream(body));
        loadedContent.Headers.ContentLength = body.Length;
        using HttpResponseMessage loaded = TestResponses.Create(loadedContent, "application/json");
        string hint = string.Concat("gpt-4o-", "2024-08-06".AsSpan()); // a string of its own, not the interned literal

        foreach (HttpResponseMessage response in new[] { inMemory, loaded })
        {
            TokenUsage usage = await extractor.InspectResponseAsync(response, ApiFormat.OpenAI, static _ => null, 0, hint, out bool observed, Ct);

            Assert.False(observed);
            Assert.Equal(new TokenUsage(19, 10, hint) { CachedTokens = 4, ReasoningTokens = 3 }, usage);
            Assert.Same(hint, usage.Model);
        }
    }

    [Fact]
    public async Task S3_responses_are_left_alone()
    {
        var extractor = new HttpUsageExtractor();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(OpenAIChatCompletion));
        using HttpResponseMessage response = TestResponses.Create(content, "application/json", "https://bucket.s3.amazonaws.com/usage.json");

        TokenUsage usage = await extractor.InspectResponseAsync(response, ApiFormat.Auto, null, Ct);

        Assert.Equal(default, usage);
        Assert.Same(content, response.Content);
    }

    [Fact]
    public async Task Json_larger_than_the_limit_is_left_alone()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI, maxJsonBodyBytes: 100);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(OpenAIChatCompletion));
        using HttpResponseMessage response = TestResponses.Create(content, "application/json");

        TokenUsage usage = await extractor.InspectResponseAsync(response, null, Ct);

        Assert.Equal(default, usage);
        Assert.Same(content, response.Content);
    }

    [Theory]
    [InlineData("{\"usage\":{\"prompt_tokens\":1,")]
    [InlineData("<html>oops</html>")]
    [InlineData("")]
    [InlineData("{\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":\"2\"}}")]
    public async Task Malformed_json_gives_no_usage(string body)
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI);
        using HttpResponseMessage response = TestResponses.Create(new ByteArrayContent(Encoding.UTF8.GetBytes(body)), "application/json");

        TokenUsage usage = await extractor.InspectResponseAsync(response, null, Ct);

        Assert.Equal(default, usage);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_transport_failure_while_buffering_json_surfaces_as_it_would_when_reading()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI);
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIChatCompletion);
        var failure = new IOException("connection reset");
        var monitored = new StreamContent(new ChunkedReadStream(bytes, 64, failAtOffset: 200, failure));
        monitored.Headers.ContentLength = bytes.Length;
        var unmonitored = new StreamContent(new ChunkedReadStream(bytes, 64, failAtOffset: 200, failure));
        unmonitored.Headers.ContentLength = bytes.Length;
        using HttpResponseMessage response = TestResponses.Create(monitored, "application/json");

        HttpRequestException withMonitoring = await Assert.ThrowsAsync<HttpRequestException>(async () => await extractor.InspectResponseAsync(response, null, Ct));
        HttpRequestException without = await Assert.ThrowsAsync<HttpRequestException>(() => unmonitored.ReadAsStringAsync(Ct));

        Assert.Same(failure, withMonitoring.InnerException);
        Assert.Same(failure, without.InnerException);
        unmonitored.Dispose();
    }

    [Fact]
    public async Task An_empty_content_is_left_alone_without_allocating()
    {
        var extractor = new HttpUsageExtractor();
        using var response = new HttpResponseMessage(HttpStatusCode.NoContent)
        {
            RequestMessage = new HttpRequestMessage(HttpMethod.Delete, "https://api.openai.com/v1/files/abc"),
        };
        var other = new ByteArrayContent([1, 2, 3]);
        using HttpResponseMessage binary = TestResponses.Create(other, "application/octet-stream", "https://api.openai.com/v1/files/abc/content");
        await extractor.InspectResponseAsync(response, null, Ct);
        await extractor.InspectResponseAsync(binary, null, Ct);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool allCompleted = true;
        for (int i = 0; i < 100; i++)
        {
            allCompleted &= IsCompleted(extractor.InspectResponseAsync(response, null, Ct));
            allCompleted &= IsCompleted(extractor.InspectResponseAsync(binary, null, Ct));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allCompleted);
        Assert.Equal(0, allocated);
        Assert.Same(other, binary.Content);
    }

    private static bool IsCompleted(ValueTask<TokenUsage> pending)
    {
        bool completed = pending.IsCompletedSuccessfully;
        _ = pending.Result;
        return completed;
    }

    [Fact]
    public async Task A_response_already_wrapped_is_not_wrapped_again()
    {
        var extractor = new HttpUsageExtractor(ApiFormat.OpenAI);
        using HttpResponseMessage response = TestResponses.Streamed(Encoding.UTF8.GetBytes(OpenAIStream), "text/event-stream");
        int callbacks = 0;

        await extractor.InspectResponseAsync(response, _ => callbacks++, Ct);
        HttpContent wrapped = response.Content;
        await extractor.InspectResponseAsync(response, _ => callbacks++, Ct);
        _ = await response.Content.ReadAsStringAsync(Ct);

        Assert.Same(wrapped, response.Content);
        Assert.Equal(1, callbacks);
    }

    [Fact]
    public void The_media_type_classification_follows_the_content_type()
    {
        Assert.Equal(ObservedBodyKind.EventStream, HttpUsageExtractor.ClassifyMediaType("text/event-stream; charset=utf-8"));
        Assert.Equal(ObservedBodyKind.EventStream, HttpUsageExtractor.ClassifyMediaType(" Text/Event-Stream "));
        Assert.Equal(ObservedBodyKind.NewlineDelimitedJson, HttpUsageExtractor.ClassifyMediaType("application/x-ndjson"));
        Assert.Equal(ObservedBodyKind.Json, HttpUsageExtractor.ClassifyMediaType("application/json;charset=UTF-8"));
        Assert.Equal(ObservedBodyKind.Json, HttpUsageExtractor.ClassifyMediaType("application/problem+json"));
        Assert.Null(HttpUsageExtractor.ClassifyMediaType("+json"));
        Assert.Null(HttpUsageExtractor.ClassifyMediaType("application/jsonp"));
        Assert.Null(HttpUsageExtractor.ClassifyMediaType("text/plain"));
        Assert.Null(HttpUsageExtractor.ClassifyMediaType(string.Empty));
    }
}
