using System.Text;
using static Resilience.Metrics.Tests.BackendSamples;

namespace Resilience.Metrics.Tests;

/// <summary>The wrapping content: the caller sees the same bytes, chunking, exceptions and disposal as without it.</summary>
public sealed class UsageObservingContentTests
{
    private const int MiB = 1 << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<ApiFormat, string, string, string, long, long, string?> StreamedResponses => new()
    {
        { ApiFormat.Auto, "https://api.openai.com/v1/chat/completions", "text/event-stream; charset=utf-8", OpenAIStream, 9, 12, "gpt-4o-mini-2024-07-18" },
        { ApiFormat.Auto, "https://api.anthropic.com/v1/messages", "text/event-stream", AnthropicStream, 25, 15, "claude-3-5-sonnet-20241022" },
        { ApiFormat.Auto, "https://api.groq.com/openai/v1/chat/completions", "text/event-stream", GroqStream, 40, 7, "llama-3.1-8b-instant" },
        { ApiFormat.Auto, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "text/event-stream", GeminiStream, 8, 12, "gemini-2.0-flash" },
        { ApiFormat.Auto, "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash:streamGenerateContent", "application/json; charset=UTF-8", GeminiJsonArrayStream, 8, 5, "gemini-1.5-flash-002" },
        { ApiFormat.Auto, "http://localhost:11434/api/chat", "application/x-ndjson", OllamaChatStream, 26, 282, "llama3.2" },
        { ApiFormat.Auto, "http://tgi:8080/generate_stream", "text/event-stream", TgiStream, 0, 3, null },
        { ApiFormat.Generic, "https://example.com/stream", "text/event-stream", AnthropicStream, 25, 15, "claude-3-5-sonnet-20241022" },
    };

    [Theory]
    [MemberData(nameof(StreamedResponses))]
    public async Task Reading_the_stream_passes_the_same_bytes_and_reports_the_usage_once(
        ApiFormat format, string url, string contentType, string body, long prompt, long completion, string? model)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url, chunkSize: 37);
        var reports = new List<TokenUsage>();
        var extractor = new HttpUsageExtractor(format);

        TokenUsage immediate = await extractor.InspectResponseAsync(response, reports.Add, Ct);
        byte[] received = await ReadAllAsync(await response.Content.ReadAsStreamAsync(Ct), bufferSize: 7);

        Assert.Equal(default, immediate);
        Assert.IsType<UsageObservingContent>(response.Content);
        Assert.Equal(bytes, received);
        Assert.Equal([new TokenUsage(prompt, completion, model)], reports);
        response.Dispose();
        Assert.Single(reports);
    }

    [Theory]
    [MemberData(nameof(StreamedResponses))]
    public async Task Reading_one_byte_at_a_time_passes_the_same_bytes(
        ApiFormat format, string url, string contentType, string body, long prompt, long completion, string? model)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url, chunkSize: 5);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor(format).InspectResponseAsync(response, reports.Add, Ct);

        using Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        var received = new List<byte>();
        var single = new byte[1];
        while (await stream.ReadAsync(single, Ct) == 1)
        {
            received.Add(single[0]);
        }

        Assert.Equal(bytes, received);
        Assert.Equal([new TokenUsage(prompt, completion, model)], reports);
    }

    [Theory]
    [MemberData(nameof(StreamedResponses))]
    public async Task ReadAsString_sync_reads_and_copies_are_observed_too(
        ApiFormat format, string url, string contentType, string body, long prompt, long completion, string? model)
    {
        var expected = new TokenUsage(prompt, completion, model);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var extractor = new HttpUsageExtractor(format);

        using (HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url))
        {
            var reports = new List<TokenUsage>();
            await extractor.InspectResponseAsync(response, reports.Add, Ct);
            Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal([expected], reports);
        }

        using (HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url))
        {
            var reports = new List<TokenUsage>();
            await extractor.InspectResponseAsync(response, reports.Add, Ct);
            using var copy = new MemoryStream();
            response.Content.ReadAsStream(Ct).CopyTo(copy);
            Assert.Equal(bytes, copy.ToArray());
            Assert.Equal([expected], reports);
        }

        using (HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url))
        {
            var reports = new List<TokenUsage>();
            await extractor.InspectResponseAsync(response, reports.Add, Ct);
            using var copy = new MemoryStream();
            await response.Content.CopyToAsync(copy, Ct);
            Assert.Equal(bytes, copy.ToArray());
            Assert.Equal([expected], reports);
        }

        using (HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url))
        {
            var reports = new List<TokenUsage>();
            await extractor.InspectResponseAsync(response, reports.Add, Ct);
            using Stream stream = response.Content.ReadAsStream(Ct);
            var received = new List<byte>();
            int value;
            while ((value = stream.ReadByte()) >= 0)
            {
                received.Add((byte)value);
            }

            Assert.Equal(bytes, received);
            Assert.Equal([expected], reports);
        }

        using (HttpResponseMessage response = TestResponses.Streamed(bytes, contentType, url))
        {
            var reports = new List<TokenUsage>();
            await extractor.InspectResponseAsync(response, reports.Add, Ct);
            using var copy = new MemoryStream();
            await (await response.Content.ReadAsStreamAsync(Ct)).CopyToAsync(copy, 11, Ct);
            Assert.Equal(bytes, copy.ToArray());
            Assert.Equal([expected], reports);
        }
    }

    [Fact]
    public async Task Content_without_headers_is_not_inspected()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);

        TokenUsage usage = await new HttpUsageExtractor().InspectResponseAsync(response, _ => Assert.Fail("no callback"), Ct);

        Assert.Equal(default, usage);
        Assert.IsNotType<UsageObservingContent>(response.Content);
    }

    [Fact]
    public async Task All_headers_are_copied_to_the_wrapper()
    {
        var content = new TrackingStreamContent(new ChunkedReadStream(Encoding.UTF8.GetBytes(OpenAIStream)));
        content.Headers.TryAddWithoutValidation("Content-Type", "text/event-stream; charset=utf-8");
        content.Headers.TryAddWithoutValidation("Content-Language", "en");
        content.Headers.TryAddWithoutValidation("X-Custom", ["a", "b"]);
        content.Headers.TryAddWithoutValidation("Content-Disposition", "inline");
        using HttpResponseMessage response = TestResponses.Create(content, null, "https://api.openai.com/v1/chat/completions");

        await new HttpUsageExtractor().InspectResponseAsync(response, null, Ct);

        HttpContent wrapper = response.Content;
        Assert.NotSame(content, wrapper);
        Assert.Equal("text/event-stream", wrapper.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", wrapper.Headers.ContentType?.CharSet);
        Assert.Equal(["en"], wrapper.Headers.ContentLanguage);
        Assert.Equal(["a", "b"], wrapper.Headers.GetValues("X-Custom"));
        Assert.Equal("inline", wrapper.Headers.ContentDisposition?.DispositionType);
        Assert.Null(wrapper.Headers.ContentLength);
    }

    [Fact]
    public async Task Reads_return_as_data_arrives()
    {
        var gated = new GatedStream();
        var content = new TrackingStreamContent(gated);
        using HttpResponseMessage response = TestResponses.Create(content, "text/event-stream", "https://api.anthropic.com/v1/messages");
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);
        using Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        byte[] buffer = new byte[4096];
        string[] events = AnthropicStream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        foreach (string e in events)
        {
            Task<int> read = stream.ReadAsync(buffer, 0, buffer.Length, Ct);
            await Task.Delay(5, Ct);
            Assert.False(read.IsCompleted, "the read waits for data");

            byte[] chunk = Encoding.UTF8.GetBytes(e + "\n\n");
            gated.Release(chunk);
            int count = await read.WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.Equal(chunk.Length, count);
            Assert.Equal(chunk, buffer.AsSpan(0, count).ToArray());
        }

        Assert.Empty(reports);
        gated.End();
        Assert.Equal(0, await stream.ReadAsync(buffer, Ct));
        Assert.Equal([new TokenUsage(25, 15, "claude-3-5-sonnet-20241022")], reports);
    }

    [Fact]
    public async Task An_exception_of_the_inner_stream_reaches_the_caller_unchanged()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIStream);
        var failure = new IOException("The response ended prematurely.");
        int afterFirstEvent = OpenAIStream.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        var content = new TrackingStreamContent(new ChunkedReadStream(bytes, 50, failAtOffset: afterFirstEvent + 20, failure));
        using HttpResponseMessage response = TestResponses.Create(content, "text/event-stream", "https://api.openai.com/v1/chat/completions");
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);
        Stream stream = await response.Content.ReadAsStreamAsync(Ct);

        IOException thrown = await Assert.ThrowsAsync<IOException>(() => ReadAllAsync(stream, 64));

        Assert.Same(failure, thrown);
        Assert.Single(reports); // the body ended with the failure: what was read before it, the model
        await stream.DisposeAsync();
        Assert.Single(reports);
        Assert.Equal(new TokenUsage(0, 0, "gpt-4o-mini-2024-07-18"), reports[0]);
    }

    [Fact]
    public async Task A_copy_failure_is_wrapped_exactly_as_without_monitoring()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIStream);
        var failure = new IOException("reset");
        var monitored = new TrackingStreamContent(new ChunkedReadStream(bytes, 50, failAtOffset: 300, failure));
        using HttpResponseMessage response = TestResponses.Create(monitored, "text/event-stream", "https://api.openai.com/v1/chat/completions");
        await new HttpUsageExtractor().InspectResponseAsync(response, null, Ct);
        using var unmonitored = new StreamContent(new ChunkedReadStream(bytes, 50, failAtOffset: 300, failure));

        HttpRequestException with = await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync(Ct));
        HttpRequestException without = await Assert.ThrowsAsync<HttpRequestException>(() => unmonitored.ReadAsStringAsync(Ct));

        Assert.Same(failure, with.InnerException);
        Assert.Same(failure, without.InnerException);
    }

    [Fact]
    public async Task Disposing_the_response_disposes_the_inner_content_and_stream_and_reports_once()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(AnthropicStream);
        var inner = new ChunkedReadStream(bytes, 400);
        var content = new TrackingStreamContent(inner);
        HttpResponseMessage response = TestResponses.Create(content, "text/event-stream", "https://api.anthropic.com/v1/messages");
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);
        Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        _ = await stream.ReadAsync(new byte[400], Ct); // message_start only

        response.Dispose();
        response.Dispose();
        stream.Dispose();

        Assert.True(content.Disposed);
        Assert.True(inner.Disposed);
        Assert.Equal([new TokenUsage(25, 1, "claude-3-5-sonnet-20241022")], reports);
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
    }

    [Fact]
    public async Task Disposing_an_unread_response_reports_nothing()
    {
        var content = new TrackingStreamContent(new ChunkedReadStream(Encoding.UTF8.GetBytes(OpenAIStream)));
        HttpResponseMessage response = TestResponses.Create(content, "text/event-stream", "https://api.openai.com/v1/chat/completions");
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);

        response.Dispose();

        Assert.True(content.Disposed);
        Assert.Empty(reports);
        Assert.True(((UsageObservingContent)response.Content).Observer.IsClosed);
    }

    [Fact]
    public async Task A_failing_callback_does_not_reach_the_caller()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIStream);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "text/event-stream", "https://api.openai.com/v1/chat/completions");
        int calls = 0;
        await new HttpUsageExtractor().InspectResponseAsync(response, _ => { calls++; throw new InvalidOperationException("collector bug"); }, Ct);

        byte[] received = await ReadAllAsync(await response.Content.ReadAsStreamAsync(Ct), 100);

        Assert.Equal(bytes, received);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_malformed_stream_passes_through_and_reports_nothing()
    {
        byte[] bytes = [.. "data: {\"usage\":{\"prompt_tokens\":"u8, 0xFF, 0x00, .. "\n\ndata: [[[[\n\nevent: x\n: comment\n\n"u8, 0xC3, 0x28];
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "text/event-stream", "https://api.openai.com/v1/chat/completions", 3);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);

        byte[] received = await ReadAllAsync(await response.Content.ReadAsStreamAsync(Ct), 16);

        Assert.Equal(bytes, received);
        Assert.Empty(reports);
    }

    [Fact]
    public async Task Json_of_unknown_length_is_read_at_its_end()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIChatCompletion);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "application/json", "https://api.openai.com/v1/chat/completions", 64);
        var reports = new List<TokenUsage>();

        TokenUsage immediate = await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(default, immediate);
        Assert.Equal(OpenAIChatCompletion, text);
        Assert.Equal([new TokenUsage(19, 10, "gpt-4o-2024-08-06")], reports);
    }

    [Fact]
    public async Task Newline_delimited_json_sent_as_json_is_read_line_by_line()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OllamaChatStream);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "application/json; charset=utf-8", "http://localhost:11434/api/chat", 50);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);

        byte[] received = await ReadAllAsync(await response.Content.ReadAsStreamAsync(Ct), 64);

        Assert.Equal(bytes, received);
        Assert.Equal([new TokenUsage(26, 282, "llama3.2")], reports);
    }

    [Fact]
    public async Task Truncated_json_of_unknown_length_gives_no_usage()
    {
        string body = OpenAIChatCompletion[..^40];
        using HttpResponseMessage response = TestResponses.Streamed(Encoding.UTF8.GetBytes(body), "application/json", "https://api.openai.com/v1/chat/completions", 50);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);

        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(reports);
    }

    [Fact]
    public async Task Json_of_unknown_length_over_the_limit_gives_no_usage_and_holds_at_most_the_limit()
    {
        const int limit = 64 * 1024;
        string body = "{\"model\":\"m\",\"pad\":\"" + new string('x', 300_000) + "\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "application/json", "https://api.openai.com/v1/chat/completions", 8192);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor(ApiFormat.Auto, limit).InspectResponseAsync(response, reports.Add, Ct);

        byte[] received = await ReadAllAsync(await response.Content.ReadAsStreamAsync(Ct), 8192);

        Assert.Equal(bytes, received);
        Assert.Empty(reports);
        Assert.InRange(((UsageObservingContent)response.Content).Observer.PeakBufferedBytes, 1, limit);
    }

    [Fact]
    public async Task A_50_MB_event_stream_comes_through_intact_without_being_buffered()
    {
        byte[] bytes = BuildLargeOpenAIStream(50 * MiB);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "text/event-stream", "https://api.openai.com/v1/chat/completions", 64 * 1024);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);
        var wrapper = (UsageObservingContent)response.Content;

        using Stream stream = response.Content.ReadAsStream(Ct);
        byte[] buffer = new byte[81920];
        int offset = 0;
        int read;
        long before = GC.GetAllocatedBytesForCurrentThread();
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            Assert.True(buffer.AsSpan(0, read).SequenceEqual(bytes.AsSpan(offset, read)), $"bytes differ at {offset}");
            offset += read;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(bytes.Length, offset);
        Assert.Equal([new TokenUsage(123, 4567, "gpt-4o-mini")], reports);
        Assert.InRange(wrapper.Observer.PeakBufferedBytes, 0, MiB);
        Assert.True(allocated < 4 * MiB, $"allocated {allocated} bytes while streaming");
    }

    [Fact]
    public async Task A_50_MB_single_line_is_skipped_and_the_usage_after_it_is_found()
    {
        byte[] bytes = new byte[50 * MiB];
        byte[] head = "data: {\"pad\":\""u8.ToArray();
        byte[] tail = "\"}\n\ndata: {\"model\":\"m\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}\n\ndata: [DONE]\n\n"u8.ToArray();
        bytes.AsSpan().Fill((byte)'z');
        head.CopyTo(bytes, 0);
        tail.CopyTo(bytes, bytes.Length - tail.Length);
        using HttpResponseMessage response = TestResponses.Streamed(bytes, "text/event-stream", "https://api.openai.com/v1/chat/completions", 100_000);
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);
        var wrapper = (UsageObservingContent)response.Content;

        using Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        byte[] buffer = new byte[1 << 16];
        int offset = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            Assert.True(buffer.AsSpan(0, read).SequenceEqual(bytes.AsSpan(offset, read)), $"bytes differ at {offset}");
            offset += read;
        }

        Assert.Equal(bytes.Length, offset);
        Assert.Equal([new TokenUsage(5, 6, "m")], reports);
        Assert.InRange(wrapper.Observer.PeakBufferedBytes, 0, MiB);
    }

    [Fact]
    public async Task Seeking_stops_observation()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OpenAIStream);
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentLength = null;
        content.Headers.TryAddWithoutValidation("Content-Type", "text/event-stream");
        using HttpResponseMessage response = TestResponses.Create(content, null, "https://api.openai.com/v1/chat/completions");
        var reports = new List<TokenUsage>();
        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);

        Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        _ = await stream.ReadAsync(new byte[10], Ct);
        stream.Position = 0;
        byte[] received = await ReadAllAsync(stream, 100);

        Assert.Equal(bytes, received);
        Assert.Empty(reports);
    }

    [Fact]
    public async Task The_wrapper_reports_the_inner_length_when_known()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(OllamaChatStream);
        using HttpResponseMessage response = TestResponses.Create(new ByteArrayContent(bytes), "application/x-ndjson", "http://localhost:11434/api/chat");
        var reports = new List<TokenUsage>();

        await new HttpUsageExtractor().InspectResponseAsync(response, reports.Add, Ct);

        Assert.IsType<UsageObservingContent>(response.Content);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal([new TokenUsage(26, 282, "llama3.2")], reports);
    }

    private static byte[] BuildLargeOpenAIStream(int minimumBytes)
    {
        byte[] chunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token \"},\"finish_reason\":null}],\"usage\":null}\n\n"u8.ToArray();
        byte[] end = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1738960861,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":123,\"completion_tokens\":4567,\"total_tokens\":4690}}\n\ndata: [DONE]\n\n"u8.ToArray();
        int count = (minimumBytes / chunk.Length) + 1;
        byte[] bytes = new byte[(count * chunk.Length) + end.Length];
        for (int i = 0; i < count; i++)
        {
            chunk.CopyTo(bytes, i * chunk.Length);
        }

        end.CopyTo(bytes, count * chunk.Length);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int bufferSize)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[bufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(), Ct)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }
}
