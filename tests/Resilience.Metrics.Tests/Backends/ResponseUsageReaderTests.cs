using System.Text;
using static Resilience.Metrics.Tests.BackendSamples;

namespace Resilience.Metrics.Tests;

public sealed class ResponseUsageReaderTests
{
    public static TheoryData<string, ApiFormat, string, long, long, string?> RealResponses => new()
    {
        { "openai chat", ApiFormat.OpenAI, OpenAIChatCompletion, 19, 10, "gpt-4o-2024-08-06" },
        { "openai responses api", ApiFormat.OpenAI, OpenAIResponsesApi, 36, 87, "gpt-4.1-2025-04-14" },
        { "anthropic", ApiFormat.Anthropic, AnthropicMessage, 12, 6, "claude-sonnet-4-20250514" },
        { "groq", ApiFormat.Groq, GroqChatCompletion, 18, 556, "llama3-8b-8192" },
        { "groq responses api", ApiFormat.Groq, OpenAIResponsesApi, 36, 87, "gpt-4.1-2025-04-14" },
        { "gemini", ApiFormat.Gemini, GeminiGenerateContent, 2, 10, "gemini-2.0-flash" },
        { "gemini json array stream", ApiFormat.Gemini, GeminiJsonArrayStream, 8, 5, "gemini-1.5-flash-002" },
        { "ollama generate", ApiFormat.Ollama, OllamaGenerate, 26, 290, "llama3.2" },
        { "ollama chat", ApiFormat.Ollama, OllamaChat, 26, 298, "llama3.2" },
        { "tgi", ApiFormat.HuggingFaceTgi, TgiGenerate, 0, 20, null },
        { "tgi array with prefill", ApiFormat.HuggingFaceTgi, TgiGenerateArrayWithPrefill, 5, 3, null },
        { "tei openai embeddings", ApiFormat.HuggingFaceTei, TeiOpenAIEmbeddings, 7, 0, "BAAI/bge-large-en-v1.5" },
        { "ovms chat", ApiFormat.Ovms, OvmsChatCompletion, 27, 30, "meta-llama/Meta-Llama-3-8B-Instruct" },
        { "opea", ApiFormat.Opea, OpeaChatQnA, 41, 72, "chatqna" },
        { "llvm", ApiFormat.Llvm, LlvmResponse, 11, 9, "llvm-codegen-7b" },
    };

    public static TheoryData<string, string, long, long, string?> GenericResponses => new()
    {
        { "openai", OpenAIChatCompletion, 19, 10, "gpt-4o-2024-08-06" },
        { "anthropic", AnthropicMessage, 12, 6, "claude-sonnet-4-20250514" },
        { "gemini", GeminiGenerateContent, 2, 10, "gemini-2.0-flash" },
        { "ollama", OllamaGenerate, 26, 290, "llama3.2" },
        { "tgi", TgiGenerateArrayWithPrefill, 5, 3, null },
        { "opea", OpeaChatQnA, 41, 72, "chatqna" },
    };

    [Theory]
    [MemberData(nameof(RealResponses))]
    public void Reads_tokens_and_model_of_each_backend(string name, ApiFormat format, string body, long prompt, long completion, string? model)
    {
        Assert.True(ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(body), out TokenUsage usage), name);

        Assert.Equal(new TokenUsage(prompt, completion, model), usage);
    }

    [Theory]
    [MemberData(nameof(RealResponses))]
    public void Without_the_model_the_same_tokens_are_read_and_no_model(string name, ApiFormat format, string body, long prompt, long completion, string? model)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        Assert.True(ResponseUsageReader.TryRead(format, bytes, out TokenUsage withModel), name);
        Assert.True(ResponseUsageReader.TryRead(format, bytes, out TokenUsage withoutModel, readModel: false), name);

        Assert.Equal(new TokenUsage(prompt, completion, model), withModel);
        Assert.Equal(withModel with { Model = null }, withoutModel);
    }

    [Fact]
    public void Without_the_model_a_malformed_body_still_gives_nothing() =>
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, """{"model":"gpt-4o","usage":{"prompt_tokens":1}"""u8, out _, readModel: false));

    [Theory]
    [MemberData(nameof(GenericResponses))]
    public void Generic_and_auto_read_the_field_names_of_every_shape(string name, string body, long prompt, long completion, string? model)
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.Generic, Encoding.UTF8.GetBytes(body), out TokenUsage generic), name);
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.Auto, Encoding.UTF8.GetBytes(body), out TokenUsage auto), name);

        Assert.Equal(new TokenUsage(prompt, completion, model), generic);
        Assert.Equal(generic, auto);
    }

    [Fact]
    public void Generic_prefers_openai_names_over_the_others()
    {
        Assert.True(ResponseUsageReader.TryRead(
            ApiFormat.Generic,
            """{"prompt_eval_count":1,"eval_count":2,"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4},"usage":{"input_tokens":5,"output_tokens":6,"prompt_tokens":7,"completion_tokens":8}}"""u8,
            out TokenUsage usage));

        Assert.Equal(new TokenUsage(7, 8, null), usage);
    }

    [Fact]
    public void Tei_embeddings_have_no_usage()
    {
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.HuggingFaceTei, Encoding.UTF8.GetBytes(TeiEmbed), out TokenUsage usage));
        Assert.Equal(default, usage);
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.Generic, Encoding.UTF8.GetBytes(TeiEmbed), out _));
    }

    [Fact]
    public void Ovms_predictions_have_no_usage()
    {
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.Ovms, Encoding.UTF8.GetBytes(OvmsPredict), out TokenUsage usage));
        Assert.Equal(default, usage);
    }

    [Theory]
    [InlineData(OpenAIChatCompletion)]
    [InlineData(S3ListBucket)]
    [InlineData("{}")]
    public void S3_is_never_read(string body)
    {
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.S3, Encoding.UTF8.GetBytes(body), out TokenUsage usage));
        Assert.Equal(default, usage);
    }

    [Fact]
    public void Xml_is_not_json()
    {
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.Generic, Encoding.UTF8.GetBytes(S3ListBucket), out _));
    }

    [Fact]
    public void A_format_reads_only_its_own_field_names()
    {
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.Gemini, Encoding.UTF8.GetBytes(AnthropicMessage), out _));
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.Anthropic, Encoding.UTF8.GetBytes(OpenAIChatCompletion), out TokenUsage anthropic));
        Assert.Equal(new TokenUsage(0, 0, "gpt-4o-2024-08-06"), anthropic);
        Assert.False(anthropic.HasTokens);
    }

    [Fact]
    public void Ollama_and_tgi_also_read_their_openai_compatible_answers()
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.Ollama, Encoding.UTF8.GetBytes(OpenAIChatCompletion), out TokenUsage ollama));
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.HuggingFaceTgi, Encoding.UTF8.GetBytes(OpenAIChatCompletion), out TokenUsage tgi));

        Assert.Equal(new TokenUsage(19, 10, "gpt-4o-2024-08-06"), ollama);
        Assert.Equal(ollama, tgi);
    }

    [Fact]
    public void Zero_counts_are_found_but_are_not_tokens()
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, """{"usage":{"prompt_tokens":0,"completion_tokens":0}}"""u8, out TokenUsage usage));

        Assert.Equal(new TokenUsage(0, 0, null), usage);
        Assert.False(usage.HasTokens);
        Assert.True(usage.IsEmpty);
    }

    [Fact]
    public void TokenUsage_helpers()
    {
        var usage = new TokenUsage(3, 4, "m");

        Assert.True(usage.HasTokens);
        Assert.False(usage.IsEmpty);
        Assert.Equal(7, usage.TotalTokens);
        Assert.True(new TokenUsage(0, 1, null).HasTokens);
        Assert.True(default(TokenUsage).IsEmpty);
    }

    [Fact]
    public void Escaped_property_names_are_matched()
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, """{"us\u0061ge":{"prompt_\u0074okens":4,"completion_tokens":5},"model":"m"}"""u8, out TokenUsage usage));

        Assert.Equal(new TokenUsage(4, 5, "m"), usage);
    }

    [Fact]
    public void The_largest_long_is_read()
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, """{"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":1}}"""u8, out TokenUsage usage));

        Assert.Equal(long.MaxValue, usage.PromptTokens);
    }

    /// <summary>
    /// A Gemini 2.5 answer with thinking and an implicit cache hit, as the API documents <c>usageMetadata</c>: cached
    /// tokens are a part of <c>promptTokenCount</c>; thoughts are not a part of <c>candidatesTokenCount</c>
    /// (<c>totalTokenCount</c> = prompt + candidates + thoughts), so completion tokens add them.
    /// </summary>
    [Theory]
    [InlineData(ApiFormat.Gemini)]
    [InlineData(ApiFormat.Generic)]
    public void A_gemini_answer_with_thinking_and_a_cache_hit_reports_its_cached_and_reasoning_tokens(ApiFormat format)
    {
        var body = """
            {"candidates":[{"content":{"parts":[{"text":"42"}],"role":"model"},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":50,"totalTokenCount":1250,
                              "cachedContentTokenCount":600,"thoughtsTokenCount":200},
             "modelVersion":"gemini-2.5-flash"}
            """u8;

        Assert.True(ResponseUsageReader.TryRead(format, body, out var usage));
        Assert.Equal(new TokenUsage(1000, 250, "gemini-2.5-flash") { CachedTokens = 600, ReasoningTokens = 200 }, usage);
    }
}
