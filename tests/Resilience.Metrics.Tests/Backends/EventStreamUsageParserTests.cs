using System.Text;
using static Resilience.Metrics.Tests.BackendSamples;

namespace Resilience.Metrics.Tests;

public sealed class EventStreamUsageParserTests
{
    public static TheoryData<string, ApiFormat, bool, string, long, long, string?, bool> Streams => new()
    {
        { "openai", ApiFormat.OpenAI, false, OpenAIStream, 9, 12, "gpt-4o-mini-2024-07-18", true },
        { "openai read as generic", ApiFormat.Generic, false, OpenAIStream, 9, 12, "gpt-4o-mini-2024-07-18", true },
        { "anthropic", ApiFormat.Anthropic, false, AnthropicStream, 25, 15, "claude-3-5-sonnet-20241022", true },
        { "anthropic read as generic", ApiFormat.Generic, false, AnthropicStream, 25, 15, "claude-3-5-sonnet-20241022", true },
        { "groq", ApiFormat.Groq, false, GroqStream, 40, 7, "llama-3.1-8b-instant", true },
        { "gemini", ApiFormat.Gemini, false, GeminiStream, 8, 12, "gemini-2.0-flash", false },
        { "gemini read as generic", ApiFormat.Generic, false, GeminiStream, 8, 12, "gemini-2.0-flash", false },
        { "tgi", ApiFormat.HuggingFaceTgi, false, TgiStream, 0, 3, null, true },
        { "ollama ndjson", ApiFormat.Ollama, true, OllamaChatStream, 26, 282, "llama3.2", true },
        { "ollama ndjson read as generic", ApiFormat.Generic, true, OllamaChatStream, 26, 282, "llama3.2", true },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void Reads_the_usage_of_a_whole_stream(string name, ApiFormat format, bool ndjson, string body, long prompt, long completion, string? model, bool complete)
    {
        using var parser = new EventStreamUsageParser(format, ndjson);

        parser.Feed(Encoding.UTF8.GetBytes(body));
        parser.Finish();

        Assert.True(parser.HasUsage, name);
        Assert.Equal(new TokenUsage(prompt, completion, model), parser.Usage);
        Assert.Equal(complete, parser.Complete);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Splitting_the_stream_at_every_byte_boundary_gives_the_same_usage(string name, ApiFormat format, bool ndjson, string body, long prompt, long completion, string? model, bool complete)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var expected = new TokenUsage(prompt, completion, model);
        for (int split = 0; split <= bytes.Length; split++)
        {
            using var parser = new EventStreamUsageParser(format, ndjson);
            parser.Feed(bytes.AsSpan(0, split));
            parser.Feed(bytes.AsSpan(split));
            parser.Finish();

            Assert.True(expected == parser.Usage, $"{name}: split at {split}");
            Assert.Equal(complete, parser.Complete);
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Feeding_one_byte_at_a_time_gives_the_same_usage(string name, ApiFormat format, bool ndjson, string body, long prompt, long completion, string? model, bool complete)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using var parser = new EventStreamUsageParser(format, ndjson);

        foreach (byte b in bytes)
        {
            parser.Feed([b]);
        }

        parser.Finish();

        Assert.Equal(new TokenUsage(prompt, completion, model), parser.Usage);
        Assert.Equal(complete, parser.Complete);
        Assert.True(parser.BufferCapacity == 0, name);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Crlf_and_cr_line_endings_split_at_every_boundary_give_the_same_usage(string name, ApiFormat format, bool ndjson, string body, long prompt, long completion, string? model, bool complete)
    {
        var expected = new TokenUsage(prompt, completion, model);
        foreach (string ending in new[] { "\r\n", "\r" })
        {
            byte[] bytes = Encoding.UTF8.GetBytes(body.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", ending, StringComparison.Ordinal));
            for (int split = 0; split <= bytes.Length; split++)
            {
                using var parser = new EventStreamUsageParser(format, ndjson);
                parser.Feed(bytes.AsSpan(0, split));
                parser.Feed(bytes.AsSpan(split));
                parser.Finish();

                Assert.True(expected == parser.Usage, $"{name}: {ending.Length}-byte endings, split at {split}");
                Assert.Equal(complete, parser.Complete);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Random_chunk_sizes_give_the_same_usage(string name, ApiFormat format, bool ndjson, string body, long prompt, long completion, string? model, bool complete)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var random = new Random(name.Length);
        for (int round = 0; round < 50; round++)
        {
            using var parser = new EventStreamUsageParser(format, ndjson);
            int offset = 0;
            while (offset < bytes.Length)
            {
                int size = Math.Min(random.Next(1, 40), bytes.Length - offset);
                parser.Feed(bytes.AsSpan(offset, size));
                offset += size;
            }

            parser.Finish();
            Assert.Equal(new TokenUsage(prompt, completion, model), parser.Usage);
            Assert.Equal(complete, parser.Complete);
        }
    }

    [Fact]
    public void Data_without_a_space_comments_event_id_and_retry_lines_are_handled()
    {
        const string body =
            ": OPENROUTER PROCESSING\n\n"
            + "retry: 3000\n"
            + "id: 17\n"
            + "event: completion\n"
            + "data:{\"model\":\"m1\",\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":5}}\n\n"
            + ":keep-alive\n\n"
            + "data:[DONE]\n\n";
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);

        parser.Feed(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new TokenUsage(4, 5, "m1"), parser.Usage);
        Assert.True(parser.Complete);
    }

    [Fact]
    public void Later_usage_overwrites_earlier_usage_field_by_field()
    {
        const string body =
            "data: {\"usage\":{\"input_tokens\":10,\"output_tokens\":1},\"model\":\"a\"}\n\n"
            + "data: {\"usage\":{\"output_tokens\":7}}\n\n"
            + "data: {\"usage\":{\"output_tokens\":9}}\n\n";
        using var parser = new EventStreamUsageParser(ApiFormat.Anthropic);

        parser.Feed(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new TokenUsage(10, 9, "a"), parser.Usage);
        Assert.False(parser.Complete);
    }

    [Fact]
    public void Malformed_lines_are_skipped_and_do_not_lose_earlier_usage()
    {
        const string body =
            "data: {\"model\":\"m\",\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":5}}\n\n"
            + "data: {\"usage\":{\"prompt_tokens\":99,\"completion_tokens\":\n\n"
            + "data: not json at all\n\n"
            + "data: b'plain text token'\n\n"
            + "data: {\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":2.5}}\n\n"
            + "data: " + "[[[[[[" + "\n\n"
            + "data\n\n"
            + "garbage line without colon\n"
            + "data: {\"usage\":{\"prompt_tokens\":1}} trailing\n\n";
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);

        parser.Feed(Encoding.UTF8.GetBytes(body));
        parser.Finish();

        Assert.Equal(new TokenUsage(4, 5, "m"), parser.Usage);
    }

    [Fact]
    public void Deeply_nested_and_non_utf8_payloads_are_skipped()
    {
        byte[] deep = Encoding.UTF8.GetBytes("data: {\"usage\":" + new string('[', 5_000) + new string(']', 5_000) + "}\n\n");
        byte[] notUtf8 = [.. "data: {\"model\":\""u8, 0xFF, 0xC0, .. "\",\"usage\":{\"prompt_tokens\":2}}\n\n"u8];
        byte[] binary = [.. "data: "u8, 0x00, 0x01, 0xFE, 0xFF, (byte)'\n', (byte)'\n'];
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);

        parser.Feed(deep);
        parser.Feed(notUtf8);
        parser.Feed(binary);
        parser.Finish();

        Assert.Equal(new TokenUsage(2, 0, null), parser.Usage);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_skipped_without_being_buffered()
    {
        const int limit = 64 * 1024;
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI, maxLineBytes: limit);
        byte[] longPiece = new byte[10_000];
        longPiece.AsSpan().Fill((byte)'x');

        parser.Feed("data: {\"text\":\""u8);
        for (int i = 0; i < 100; i++)
        {
            parser.Feed(longPiece); // a 1 MB line arriving in pieces
            Assert.True(parser.BufferCapacity <= limit);
        }

        parser.Feed("\"}\n\ndata: {\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n"u8);
        parser.Finish();

        Assert.Equal(new TokenUsage(3, 4, null), parser.Usage);
        Assert.Equal(1, parser.SkippedLongLines);
        Assert.True(parser.PeakBufferCapacity <= limit);
    }

    [Fact]
    public void A_long_line_arriving_in_one_chunk_is_skipped_too()
    {
        const int limit = 1024;
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI, maxLineBytes: limit);
        string longLine = "data: {\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000},\"pad\":\"" + new string('p', 2_000) + "\"}\n\n";

        parser.Feed(Encoding.UTF8.GetBytes(longLine + "data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n"));

        Assert.Equal(new TokenUsage(1, 2, null), parser.Usage);
        Assert.Equal(1, parser.SkippedLongLines);
        Assert.Equal(0, parser.PeakBufferCapacity);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_read()
    {
        string payload = "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2},\"pad\":\"";
        string line = "data: " + payload;
        int limit = 512;
        line += new string('p', limit - line.Length - 2) + "\"}";
        Assert.Equal(limit, line.Length);
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI, maxLineBytes: limit);

        parser.Feed(bytes.AsSpan(0, 100));
        parser.Feed(bytes.AsSpan(100));

        Assert.Equal(new TokenUsage(1, 2, null), parser.Usage);
        Assert.Equal(0, parser.SkippedLongLines);
    }

    [Fact]
    public void The_last_line_without_a_terminator_is_read_at_finish()
    {
        using var parser = new EventStreamUsageParser(ApiFormat.Ollama, newlineDelimitedJson: true);

        parser.Feed("{\"model\":\"llama3.2\",\"done\":true,\"prompt_eval_count\":5,\"eval_count\":6}"u8);
        Assert.False(parser.HasUsage);
        parser.Finish();

        Assert.Equal(new TokenUsage(5, 6, "llama3.2"), parser.Usage);
        Assert.True(parser.Complete);
    }

    [Fact]
    public void Input_after_finish_or_dispose_is_ignored()
    {
        var parser = new EventStreamUsageParser(ApiFormat.OpenAI);
        parser.Feed("data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n"u8);
        parser.Finish();

        parser.Feed("data: {\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":9}}\n"u8);
        parser.Dispose();
        parser.Feed("data: {\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":8}}\n"u8);

        Assert.Equal(new TokenUsage(1, 1, null), parser.Usage);
    }

    [Fact]
    public void A_byte_order_mark_at_the_start_is_skipped()
    {
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);

        parser.Feed([0xEF, 0xBB, 0xBF, .. "data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n"u8]);

        Assert.Equal(new TokenUsage(1, 2, null), parser.Usage);
    }

    [Fact]
    public void Ndjson_blank_lines_and_garbage_are_skipped()
    {
        using var parser = new EventStreamUsageParser(ApiFormat.Ollama, newlineDelimitedJson: true);

        parser.Feed("\n\n  \n{\"model\":\"m\",\"done\":false}\nnot json\n{\"broken\":\n{\"done\":true,\"eval_count\":3}\n"u8);

        Assert.Equal(new TokenUsage(0, 3, "m"), parser.Usage);
        Assert.True(parser.Complete);
    }

    [Fact]
    public void An_empty_stream_has_no_usage()
    {
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);

        parser.Feed(ReadOnlySpan<byte>.Empty);
        parser.Finish();

        Assert.False(parser.HasUsage);
        Assert.Equal(default, parser.Usage);
        Assert.False(parser.Complete);
    }

    [Fact]
    public void A_model_repeated_in_every_chunk_is_allocated_once()
    {
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);
        byte[] chunk = "data: {\"model\":\"gpt-4o-mini\",\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\n"u8.ToArray();
        parser.Feed(chunk);
        string? first = parser.Usage.Model;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            parser.Feed(chunk);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(first, parser.Usage.Model);
        Assert.Equal(0, allocated);
    }
}
