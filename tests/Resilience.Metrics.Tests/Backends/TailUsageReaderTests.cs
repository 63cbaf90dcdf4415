using System.Text;
using static Resilience.Metrics.Tests.BackendSamples;

namespace Resilience.Metrics.Tests;

/// <summary>
/// A whole body read from its top-level usage key to its end (<see cref="TailUsageReader"/>, through
/// <see cref="ResponseUsageReader.TryReadComplete"/>) gives what the full pass gives, and never a nested or quoted usage.
/// </summary>
public sealed class TailUsageReaderTests
{
    private static readonly ApiFormat[] AllFormats = Enum.GetValues<ApiFormat>();

    public static TheoryData<string, ApiFormat, string> FastFormats => new()
    {
        { "openai chat", ApiFormat.OpenAI, OpenAIChatCompletion },
        { "openai responses api", ApiFormat.OpenAI, OpenAIResponsesApi },
        { "azure", ApiFormat.AzureOpenAI, OpenAIChatCompletion },
        { "anthropic", ApiFormat.Anthropic, AnthropicMessage },
        { "groq", ApiFormat.Groq, GroqChatCompletion },
        { "gemini", ApiFormat.Gemini, GeminiGenerateContent },
        { "ovms", ApiFormat.Ovms, OvmsChatCompletion },
        { "opea", ApiFormat.Opea, OpeaChatQnA },
        { "tei openai embeddings", ApiFormat.HuggingFaceTei, TeiOpenAIEmbeddings },
    };

    public static TheoryData<string> Samples => new()
    {
        OpenAIChatCompletion, OpenAIResponsesApi, AnthropicMessage, GroqChatCompletion, GeminiGenerateContent,
        GeminiJsonArrayStream, OllamaGenerate, OllamaChat, TgiGenerate, TgiGenerateArrayWithPrefill, TeiEmbed,
        TeiOpenAIEmbeddings, OvmsPredict, OvmsChatCompletion, OpeaChatQnA, LlvmResponse, S3ListBucket,
        """{"usage":null,"model":"m"}""",
        """{"model":"a","usage":{"prompt_tokens":1},"model":"b"}""",
    };

    [Theory]
    [MemberData(nameof(FastFormats))]
    public void The_documented_shapes_take_the_fast_way(string name, ApiFormat format, string body)
    {
        UsageFields fields = UsageFields.Empty;

        Assert.True(TailUsageReader.TryRead(ApiFormats.Get(format).Fields, Encoding.UTF8.GetBytes(body), ref fields), name);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_format_reads_every_valid_sample_as_the_full_pass_does(string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        foreach (ApiFormat format in AllFormats)
        {
            foreach (bool readModel in new[] { true, false })
            {
                bool full = ResponseUsageReader.TryRead(format, bytes, out TokenUsage expected, readModel);
                bool fast = ResponseUsageReader.TryReadComplete(format, bytes, out TokenUsage usage, readModel, modelHint: null);

                Assert.Equal((full, expected), (fast, usage));
            }
        }
    }

    [Theory]
    [InlineData(ApiFormat.Anthropic, """{"model":"claude","content":[{"type":"tool_use","id":"t","name":"n","input":{"usage":{"input_tokens":900,"output_tokens":900}}}],"usage":{"input_tokens":3,"output_tokens":4}}""")]
    [InlineData(ApiFormat.OpenAI, """{"model":"gpt","choices":[{"message":{"content":"x"},"usage":{"prompt_tokens":900}}],"usage":{"prompt_tokens":3,"completion_tokens":4}}""")]
    [InlineData(ApiFormat.OpenAI, """{"model":"gpt","choices":[{"message":{"content":"say \"usage\":{\"prompt_tokens\":900}"}}],"usage":{"prompt_tokens":3,"completion_tokens":4}}""")]
    [InlineData(ApiFormat.OpenAI, """{"model":"gpt","choices":[{"message":{"content":"usage"}}],"usage":{"prompt_tokens":3,"completion_tokens":4},"note":"usage"}""")]
    [InlineData(ApiFormat.OpenAI, """{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4},"say \"usage":{"prompt_tokens":900}}""")]
    [InlineData(ApiFormat.OpenAI, """{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4},"list":["usage" , "usage"]}""")]
    [InlineData(ApiFormat.OpenAI, """{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4},"meta":{"usage":{"prompt_tokens":900}}}""")]
    public void Only_the_top_level_usage_counts(ApiFormat format, string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);

        Assert.True(ResponseUsageReader.TryReadComplete(format, bytes, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(3, usage.PromptTokens);
        Assert.Equal(4, usage.CompletionTokens);
        Assert.NotNull(usage.Model);
        Assert.True(ResponseUsageReader.TryRead(format, bytes, out TokenUsage full));
        Assert.Equal(full, usage);
    }

    [Theory]
    [InlineData("""{"model":"claude","content":[{"type":"tool_use","input":{"usage":{"input_tokens":900,"output_tokens":900}}}],"stop_reason":"tool_use"}""")]
    [InlineData("""{"model":"claude","content":[{"type":"text","text":"the \"usage\":{\"input_tokens\":900}"}]}""")]
    [InlineData("""{"model":"claude","type":"usage"}""")]
    [InlineData("""{"model":"claude","content":[{"type":"text","text":"say \"usage"}],"note":"say \"usage"}""")]
    public void A_nested_or_quoted_usage_is_never_read_as_the_top_level_one(string body)
    {
        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.Anthropic, Encoding.UTF8.GetBytes(body), out TokenUsage usage, readModel: true, modelHint: null));

        Assert.Equal(new TokenUsage(0, 0, "claude"), usage);
    }

    [Fact]
    public void Pretty_printed_json_with_white_space_around_the_key_is_read_the_fast_way()
    {
        const string body = "{\r\n\t\"id\" : \"x\" ,\r\n\t\"model\" : \"gpt-4o\" ,\r\n\t\"choices\" : [ ] ,\n  \"usage\"\t:\n  {\n    \"prompt_tokens\" : 5 ,\n    \"completion_tokens\" : 6 ,\n"
            + "    \"prompt_tokens_details\" : { \"cached_tokens\" : 2 } ,\n    \"completion_tokens_details\" : { \"reasoning_tokens\" : 1 }\n  }\n  ,\n  \"service_tier\" : \"default\"\n}\n\n";
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        UsageFields fields = UsageFields.Empty;

        Assert.True(TailUsageReader.TryRead(ApiFormats.Get(ApiFormat.OpenAI).Fields, bytes, ref fields));
        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, bytes, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(new TokenUsage(5, 6, "gpt-4o") { CachedTokens = 2, ReasoningTokens = 1 }, usage);
    }

    [Theory]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4},"service_tier":"def""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4},""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4}""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4}}}""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4}} x""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4}},{}""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4},"a":}""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4,}}""")]
    [InlineData("""{"model":"gpt","usage" {"prompt_tokens":3,"completion_tokens":4}}""")]
    [InlineData("""{"model":"gpt","usage":{"prompt_tokens":3,"completion_tokens":4}]""")]
    [InlineData("""["model","usage":{"prompt_tokens":3,"completion_tokens":4}}""")]
    [InlineData("""{"model" "gpt","usage":{"prompt_tokens":3,"completion_tokens":4}}""")]
    public void A_malformed_usage_key_usage_object_or_tail_gives_no_usage(string body)
    {
        foreach (ApiFormat format in AllFormats)
        {
            bool found = ResponseUsageReader.TryReadComplete(format, Encoding.UTF8.GetBytes(body), out TokenUsage usage, readModel: true, modelHint: null);

            Assert.False(found && usage.HasTokens, $"{format}: {body}");
        }
    }

    [Theory]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":05}}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":NaN}}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5 /* comment */}}")]
    [InlineData("{\"model\":\"m\",\"usage\":{'prompt_tokens':5}}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5}} trailing")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5},\"a\":tru}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5},\"a\":\"\\x\"}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5},\"a\":\"unterminated}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5},\"a\":[1,2}")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5},\"a\":1,}")]
    public void A_tail_that_is_not_json_gives_no_usage_as_the_full_pass(string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        foreach (ApiFormat format in AllFormats)
        {
            bool full = ResponseUsageReader.TryRead(format, bytes, out TokenUsage expected);
            bool fast = ResponseUsageReader.TryReadComplete(format, bytes, out TokenUsage usage, readModel: true, modelHint: null);

            Assert.False(full, $"{format}: {body}");
            Assert.Equal((full, expected), (fast, usage));
        }
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_inside_the_usage_object_gives_no_usage()
    {
        var builder = new StringBuilder("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"details\":");
        for (int i = 0; i < 5_000; i++)
        {
            builder.Append("{\"a\":");
        }

        builder.Append('1').Append('}', 5_000).Append("}}");

        Assert.False(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(builder.ToString()), out _, readModel: true, modelHint: null));
    }

    [Fact]
    public void Non_utf8_bytes_outside_strings_in_the_tail_give_no_usage()
    {
        byte[] body = [.. "{\"model\":\"m\",\"usage\":"u8, 0xFF, 0xFE, .. "{\"prompt_tokens\":3}}"u8];

        Assert.False(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, body, out _, readModel: true, modelHint: null));
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8];
        UsageFields fields = UsageFields.Empty;

        Assert.True(TailUsageReader.TryRead(ApiFormats.Get(ApiFormat.OpenAI).Fields, ResponseUsageReader.TrimUtf8Bom(body), ref fields));
        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, body, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(new TokenUsage(3, 4, "m"), usage);
    }

    [Fact]
    public void The_cached_and_reasoning_details_inside_usage_are_read()
    {
        byte[] bytes = """{"model":"o3","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":50,"completion_tokens":40,"prompt_tokens_details":{"cached_tokens":30,"usage":{"x":1}},"completion_tokens_details":{"reasoning_tokens":20}},"system_fingerprint":"fp"}"""u8.ToArray();

        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, bytes, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(new TokenUsage(50, 40, "o3") { CachedTokens = 30, ReasoningTokens = 20 }, usage);
    }

    [Fact]
    public void Gemini_reads_a_model_version_written_before_its_usage_metadata_the_full_way()
    {
        byte[] bytes = """{"modelVersion":"gemini-2.0-flash","candidates":[],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":3}}"""u8.ToArray();

        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.Gemini, bytes, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(new TokenUsage(2, 3, "gemini-2.0-flash"), usage);
    }

    [Fact]
    public void A_model_equal_to_the_hint_is_that_string()
    {
        string hint = new("gpt-4o".AsSpan());
        byte[] bytes = """{"model":"gpt-4o","usage":{"prompt_tokens":1}}"""u8.ToArray();

        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, bytes, out TokenUsage usage, readModel: true, hint));
        Assert.Same(hint, usage.Model);
    }

    [Fact]
    public void The_documented_limit_what_lies_between_the_model_and_the_usage_key_is_not_checked()
    {
        // Not JSON between the model and the top-level usage: the full pass rejects it, a whole body read the fast way does not.
        byte[] bytes = """{"model":"gpt","choices":[}}}not json,"usage":{"prompt_tokens":3,"completion_tokens":4}}"""u8.ToArray();

        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, bytes, out _));
        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, bytes, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(new TokenUsage(3, 4, "gpt"), usage);
    }

    [Fact]
    public void The_documented_limit_of_a_usage_key_written_twice_only_the_last_is_read()
    {
        byte[] bytes = """{"model":"gpt","usage":{"prompt_tokens":1},"choices":[],"usage":{"completion_tokens":2}}"""u8.ToArray();

        Assert.True(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, bytes, out TokenUsage usage, readModel: true, modelHint: null));
        Assert.Equal(new TokenUsage(0, 2, "gpt"), usage);
    }

    [Fact]
    public void The_head_up_to_the_model_is_still_checked()
    {
        byte[] bytes = """{"id":[},"model":"gpt","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"""u8.ToArray();

        Assert.False(ResponseUsageReader.TryReadComplete(ApiFormat.OpenAI, bytes, out _, readModel: true, modelHint: null));
    }

    [Fact]
    public void Every_truncation_of_a_whole_body_gives_no_usage()
    {
        byte[][] samples =
        [
            Encoding.UTF8.GetBytes(OpenAIChatCompletion),
            Encoding.UTF8.GetBytes(OpenAIResponsesApi),
            Encoding.UTF8.GetBytes(AnthropicMessage),
            Encoding.UTF8.GetBytes(GroqChatCompletion),
            Encoding.UTF8.GetBytes(GeminiGenerateContent),
        ];
        foreach (byte[] sample in samples)
        {
            int end = sample.AsSpan().TrimEnd(" \t\r\n"u8).Length;
            for (int cut = 0; cut < end; cut++)
            {
                foreach (ApiFormat format in AllFormats)
                {
                    Assert.False(
                        ResponseUsageReader.TryReadComplete(format, sample.AsSpan(0, cut), out TokenUsage usage, readModel: true, modelHint: null),
                        $"{format}, cut at {cut}");
                    Assert.Equal(default, usage);
                }
            }
        }
    }
}
