using System.Text;

namespace Resilience.Metrics.Tests;

/// <summary>Which stream chunks are parsed: those that may carry usage or an end; generated text alone is skipped.</summary>
public sealed class StreamChunksTests
{
    [Theory]
    [InlineData(ApiFormat.OpenAI, """{"id":"c","choices":[{"delta":{"content":"Hi"}}],"usage":null}""", false)]
    [InlineData(ApiFormat.OpenAI, """{"id":"c","choices":[],"usage" : {"prompt_tokens":9,"completion_tokens":12}}""", true)]
    [InlineData(ApiFormat.OpenAI, """{"type":"response.completed","response":{"usage":{"input_tokens":3}}}""", true)]
    [InlineData(ApiFormat.Groq, """{"choices":[],"x_groq":{"usage":{"prompt_tokens":1}}}""", true)]
    [InlineData(ApiFormat.Anthropic, """{"type":"content_block_delta","delta":{"text":"the usage of words"}}""", false)]
    [InlineData(ApiFormat.Anthropic, """{"type":"message_delta","usage":{"output_tokens":15}}""", true)]
    [InlineData(ApiFormat.Anthropic, """{"type":"message_stop"}""", true)]
    [InlineData(ApiFormat.Ollama, """{"model":"llama3","message":{"content":"Hi"},"done":false}""", false)]
    [InlineData(ApiFormat.Ollama, """{"model":"llama3","done": true,"prompt_eval_count":5,"eval_count":7}""", true)]
    [InlineData(ApiFormat.HuggingFaceTgi, """{"token":{"text":"Hi"},"generated_text":null,"details":null}""", false)]
    [InlineData(ApiFormat.HuggingFaceTgi, """{"token":{"text":"!"},"details":{"generated_tokens":12}}""", true)]
    [InlineData(ApiFormat.Gemini, """{"candidates":[],"usageMetadata":{"promptTokenCount":8}}""", true)]
    [InlineData(ApiFormat.Generic, """{"choices":[{"delta":{"content":"Hi"}}]}""", false)]
    public void A_chunk_is_parsed_only_when_it_may_carry_usage_or_an_end(ApiFormat format, string json, bool parsed) =>
        Assert.Equal(parsed, StreamChunks.MayCarryUsage(ApiFormats.Get(format).Fields, Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_long_stream_of_text_chunks_gives_the_usage_of_its_last_chunk_and_the_model_of_its_first()
    {
        var stream = new StringBuilder("data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}],\"usage\":null}\n\n");
        for (var i = 0; i < 200; i++)
        {
            // Text chunks are skipped, so a chunk that is not even valid JSON cannot disturb the count.
            stream.Append(i == 100 ? "data: {\"choices\":[{\"delta\":{\"content\":\"bro" : "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}").Append("\n\n");
        }

        stream.Append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":201,\"prompt_tokens_details\":{\"cached_tokens\":4}}}\n\ndata: [DONE]\n\n");
        using var parser = new EventStreamUsageParser(ApiFormat.OpenAI);

        parser.Feed(Encoding.UTF8.GetBytes(stream.ToString()));
        parser.Finish();

        Assert.Equal(new TokenUsage(9, 201, "gpt-4o-mini-2024-07-18") { CachedTokens = 4 }, parser.Usage);
        Assert.Equal(202, parser.Payloads);
        Assert.True(parser.Complete);
    }
}
