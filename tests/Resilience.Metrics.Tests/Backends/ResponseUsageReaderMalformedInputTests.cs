using System.Text;

namespace Resilience.Metrics.Tests;

/// <summary>Bad input of every kind: never an exception; a bad field is ignored, a bad document gives nothing.</summary>
public sealed class ResponseUsageReaderMalformedInputTests
{
    private static readonly ApiFormat[] AllFormats = Enum.GetValues<ApiFormat>();

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"usage\"")]
    [InlineData("true")]
    [InlineData("[]")]
    [InlineData("[1,2,3]")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":")]
    [InlineData("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":5}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":5,}}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":05}}")]
    [InlineData("{usage:{prompt_tokens:5}}")]
    [InlineData("{'usage':{'prompt_tokens':5}}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":5}} trailing")]
    [InlineData("{\"usage\":{\"prompt_tokens\":NaN}}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":Infinity}}")]
    [InlineData("{\"usage\":{\"prompt_tokens\":5 /* comment */}}")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("data: {\"usage\":{\"prompt_tokens\":5}}")]
    public void Invalid_or_truncated_documents_give_no_usage(string body)
    {
        foreach (ApiFormat format in AllFormats)
        {
            bool found = ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(body), out TokenUsage usage);

            Assert.False(found && usage.HasTokens, $"{format}: {body}");
        }
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("3.0")]
    [InlineData("1e3")]
    [InlineData("1E+2")]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775808")]
    [InlineData("1e400")]
    [InlineData("\"12\"")]
    [InlineData("\"twelve\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{\"value\":12}")]
    [InlineData("[12]")]
    public void A_count_that_is_not_a_non_negative_integer_is_ignored_and_the_rest_is_read(string badNumber)
    {
        string body = "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":" + badNumber + ",\"completion_tokens\":7}}";

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out TokenUsage usage));

        Assert.Equal(new TokenUsage(0, 7, "gpt-4o"), usage);
    }

    [Theory]
    [InlineData(ApiFormat.Anthropic, "{\"usage\":{\"input_tokens\":-3,\"output_tokens\":2.5}}")]
    [InlineData(ApiFormat.Gemini, "{\"usageMetadata\":{\"promptTokenCount\":\"8\",\"candidatesTokenCount\":1e99}}")]
    [InlineData(ApiFormat.Ollama, "{\"prompt_eval_count\":-26,\"eval_count\":18446744073709551616}")]
    [InlineData(ApiFormat.HuggingFaceTgi, "{\"details\":{\"generated_tokens\":\"20\",\"prefill\":\"abc\"}}")]
    public void Bad_counts_are_ignored_in_every_shape(ApiFormat format, string body)
    {
        bool found = ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(body), out TokenUsage usage);

        Assert.False(found);
        Assert.Equal(default, usage);
    }

    [Theory]
    [InlineData("{\"usage\":null,\"model\":\"m\"}")]
    [InlineData("{\"usage\":\"lots\",\"model\":\"m\"}")]
    [InlineData("{\"usage\":[1,2],\"model\":\"m\"}")]
    [InlineData("{\"usage\":17,\"model\":\"m\"}")]
    public void A_usage_that_is_not_an_object_is_ignored(string body)
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out TokenUsage usage));

        Assert.Equal(new TokenUsage(0, 0, "m"), usage);
    }

    [Fact]
    public void Nesting_five_thousand_deep_gives_no_usage()
    {
        string deep = new string('[', 5_000) + new string(']', 5_000);
        string body = "{\"choices\":" + deep + ",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";

        foreach (ApiFormat format in AllFormats)
        {
            Assert.False(ResponseUsageReader.TryRead(format, Encoding.UTF8.GetBytes(body), out _), format.ToString());
        }
    }

    [Fact]
    public void Objects_nested_five_thousand_deep_inside_usage_give_no_usage()
    {
        var builder = new StringBuilder("{\"usage\":{\"prompt_tokens\":1,\"details\":");
        for (int i = 0; i < 5_000; i++)
        {
            builder.Append("{\"a\":");
        }

        builder.Append('1').Append('}', 5_000).Append("}}");

        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(builder.ToString()), out _));
    }

    [Fact]
    public void Unclosed_nesting_five_thousand_deep_gives_no_usage()
    {
        string body = "{\"usage\":" + new string('{', 5_000);

        Assert.False(ResponseUsageReader.TryRead(ApiFormat.Generic, Encoding.UTF8.GetBytes(body), out _));
    }

    [Fact]
    public void Nesting_just_within_the_limit_is_read()
    {
        string nested = new string('[', 60) + new string(']', 60);
        string body = "{\"choices\":" + nested + ",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out TokenUsage usage));
        Assert.Equal(new TokenUsage(1, 2, null), usage);
    }

    [Fact]
    public void Invalid_utf8_in_the_model_drops_only_the_model()
    {
        byte[] body = [.. "{\"model\":\"gpt"u8, 0xC3, 0x28, 0xFF, .. "\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8];

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, body, out TokenUsage usage));
        Assert.Equal(new TokenUsage(3, 4, null), usage);
    }

    [Fact]
    public void Invalid_utf8_in_a_skipped_string_does_not_matter()
    {
        byte[] body = [.. "{\"text\":\"a"u8, 0xFF, 0xFE, .. "\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8];

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, body, out TokenUsage usage));
        Assert.Equal(new TokenUsage(3, 4, null), usage);
    }

    [Fact]
    public void Non_utf8_bytes_outside_strings_give_no_usage()
    {
        byte[] body = [.. "{\"usage\":"u8, 0xFF, 0xFE, .. "{\"prompt_tokens\":3}}"u8];

        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, body, out _));
    }

    [Fact]
    public void Utf16_text_gives_no_usage()
    {
        byte[] body = Encoding.Unicode.GetBytes("{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}");

        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, body, out _));
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8];

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, body, out TokenUsage usage));
        Assert.Equal(new TokenUsage(3, 4, null), usage);
    }

    [Fact]
    public void A_ten_thousand_character_model_is_ignored_but_the_tokens_are_read()
    {
        string body = "{\"model\":\"" + new string('m', 10_000) + "\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}";

        Assert.True(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out TokenUsage usage));
        Assert.Equal(new TokenUsage(3, 4, null), usage);
    }

    [Fact]
    public void A_model_of_escapes_longer_than_the_limit_is_ignored()
    {
        string body = "{\"model\":\"" + string.Concat(Enumerable.Repeat("\\u00e9", 300)) + "\"}";

        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out _));
    }

    [Theory]
    [InlineData("{\"model\":\"claude-3-\\u00e9t\\u00e9\"}", "claude-3-été")]
    [InlineData("{\"model\":\"模型-🚀\"}", "模型-🚀")]
    [InlineData("{\"model\":\"a\\\"b\\\\c\"}", "a\"b\\c")]
    public void Unicode_and_escaped_models_are_read(string body, string expected)
    {
        Assert.True(ResponseUsageReader.TryRead(ApiFormat.Anthropic, Encoding.UTF8.GetBytes(body), out TokenUsage usage));
        Assert.Equal(expected, usage.Model);
    }

    [Theory]
    [InlineData("{\"model\":42}")]
    [InlineData("{\"model\":null}")]
    [InlineData("{\"model\":\"\"}")]
    [InlineData("{\"model\":[\"a\"]}")]
    [InlineData("{\"model\":{\"id\":\"a\"}}")]
    public void A_model_that_is_not_a_non_empty_string_is_ignored(string body)
    {
        Assert.False(ResponseUsageReader.TryRead(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(body), out TokenUsage usage));
        Assert.Null(usage.Model);
    }

    [Fact]
    public void Random_bytes_never_throw_and_every_truncation_gives_no_usage()
    {
        var random = new Random(20240601);
        byte[][] samples =
        [
            Encoding.UTF8.GetBytes(BackendSamples.OpenAIChatCompletion),
            Encoding.UTF8.GetBytes(BackendSamples.AnthropicMessage),
            Encoding.UTF8.GetBytes(BackendSamples.GeminiGenerateContent),
            Encoding.UTF8.GetBytes(BackendSamples.OllamaGenerate),
            Encoding.UTF8.GetBytes(BackendSamples.TgiGenerateArrayWithPrefill),
        ];
        foreach (byte[] sample in samples)
        {
            // A document cut anywhere before its closing bracket is not JSON: nothing may be read from it.
            int end = sample.AsSpan().TrimEnd(" \t\r\n"u8).Length;
            for (int cut = 0; cut < sample.Length; cut++)
            {
                foreach (ApiFormat format in AllFormats)
                {
                    bool read = ResponseUsageReader.TryRead(format, sample.AsSpan(0, cut), out TokenUsage usage);
                    if (cut < end)
                    {
                        Assert.False(read, $"{format}, cut at {cut} of {sample.Length}");
                        Assert.Equal(default, usage);
                    }
                }

                byte[] corrupted = (byte[])sample.Clone();
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
                _ = ResponseUsageReader.TryRead(ApiFormat.Generic, corrupted, out _);
            }
        }
    }
}
