using System.Net;
using System.Text;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Tests;

/// <summary>Each API's buffered and streamed responses round-trip in the real shape, with exact token counts.</summary>
public sealed class ResponseShapeTests
{
    private const int Completion = 16; // SimulationOptions.CompletionTokens default
    private const int ChatPrompt = 21; // words of SimulatedRequests.SystemPrompt + UserPrompt
    private const int PlainPrompt = 12; // words of SimulatedRequests.UserPrompt

    public static TheoryData<SimulatedApi> AllApis => [.. Enum.GetValues<SimulatedApi>()];

    [Theory]
    [MemberData(nameof(AllApis))]
    public async Task Every_api_answers_its_default_request_and_counts_what_it_reported(SimulatedApi api)
    {
        await using var server = await Sim.StartAsync();

        using var response = await Sim.SendAsync(server, api);
        using var streamed = await Sim.SendAsync(server, api, stream: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var control = server[api];
        var completion = api is SimulatedApi.S3 or SimulatedApi.HuggingFaceTei ? 0 : Completion;
        Assert.Equal(2, control.Requests);
        Assert.Equal(2, control.Succeeded);
        Assert.Equal(0, control.InFlight);
        Assert.Equal(2L * SimulatedRequests.PromptTokens(api), control.TotalPromptTokens);
        Assert.Equal(2L * completion, control.TotalCompletionTokens);
    }

    [Fact]
    public async Task OpenAI_chat_completion_has_choices_model_and_usage()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.OpenAI);
        using var json = await Sim.JsonAsync(response);
        var root = json.RootElement;

        Assert.Equal("application/json", Sim.MediaType(response));
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("gpt-4o-mini", root.GetProperty("model").GetString());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(Completion, Sim.Words(choice.GetProperty("message").GetProperty("content").GetString()!));
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        AssertOpenAiUsage(root.GetProperty("usage"), ChatPrompt, Completion);
    }

    [Theory]
    [InlineData(SimulatedApi.OpenAI)]
    [InlineData(SimulatedApi.Groq)]
    [InlineData(SimulatedApi.Opea)]
    [InlineData(SimulatedApi.Ovms)]
    public async Task OpenAI_style_stream_sends_chunks_a_usage_chunk_and_done(SimulatedApi api)
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, api, stream: true);
        var events = Sim.ParseSse(await Sim.TextAsync(response));

        Assert.Equal("text/event-stream", Sim.MediaType(response));
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.Equal(SimulatedRequests.DefaultModel(api), c.GetProperty("model").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());

        var content = new StringBuilder();
        foreach (var chunk in chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0))
        {
            if (chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var piece))
            {
                content.Append(piece.GetString());
            }
        }

        Assert.Equal(Completion, Sim.Words(content.ToString()));
        Assert.Equal(Completion + 3, chunks.Count); // role, 16 tokens, finish, usage
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        AssertOpenAiUsage(usageChunk.GetProperty("usage"), ChatPrompt, Completion);
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
    }

    [Fact]
    public async Task OpenAI_stream_without_include_usage_has_no_usage_chunk()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.OpenAI);
        using var request = Sim.Post("v1/chat/completions", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi there"}]}""", Sim.Bearer);
        using var response = await client.SendAsync(request, Sim.Ct);
        var events = Sim.ParseSse(await Sim.TextAsync(response));

        Assert.Equal("[DONE]", events[^1].Data);
        Assert.DoesNotContain(events.SkipLast(1), e => JsonDocument.Parse(e.Data).RootElement.TryGetProperty("usage", out _));
        Assert.Equal(2, server[SimulatedApi.OpenAI].TotalPromptTokens);
    }

    [Fact]
    public async Task Groq_adds_x_groq_with_usage_on_the_last_content_chunk()
    {
        await using var server = await Sim.StartAsync();
        using var buffered = await Sim.SendAsync(server, SimulatedApi.Groq);
        using var streamed = await Sim.SendAsync(server, SimulatedApi.Groq, stream: true);
        using var json = await Sim.JsonAsync(buffered);
        var events = Sim.ParseSse(await Sim.TextAsync(streamed));

        Assert.StartsWith("req_", json.RootElement.GetProperty("x_groq").GetProperty("id").GetString(), StringComparison.Ordinal);
        var finish = JsonDocument.Parse(events[^3].Data).RootElement;
        Assert.Equal("stop", finish.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        AssertOpenAiUsage(finish.GetProperty("x_groq").GetProperty("usage"), ChatPrompt, Completion);
    }

    [Fact]
    public async Task Max_tokens_below_the_completion_size_limits_the_completion_with_finish_reason_length()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.OpenAI);
        using var request = Sim.Post("v1/chat/completions", """{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"one two three"}]}]}""", Sim.Bearer);
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);

        var choice = json.RootElement.GetProperty("choices")[0];
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        AssertOpenAiUsage(json.RootElement.GetProperty("usage"), 3, 5);
        Assert.Equal(5, server[SimulatedApi.OpenAI].TotalCompletionTokens);
    }

    [Fact]
    public async Task Completion_tokens_follow_the_backend_control()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.OpenAI].CompletionTokens = 40;
        using var response = await Sim.SendAsync(server, SimulatedApi.OpenAI);
        using var json = await Sim.JsonAsync(response);

        Assert.Equal(40, json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Llvm_completions_use_text_completion_objects_and_stream_usage()
    {
        await using var server = await Sim.StartAsync();
        using var buffered = await Sim.SendAsync(server, SimulatedApi.Llvm);
        using var streamed = await Sim.SendAsync(server, SimulatedApi.Llvm, stream: true);
        using var json = await Sim.JsonAsync(buffered);
        var events = Sim.ParseSse(await Sim.TextAsync(streamed));

        Assert.Equal("text_completion", json.RootElement.GetProperty("object").GetString());
        Assert.Equal(Completion, Sim.Words(json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!));
        AssertOpenAiUsage(json.RootElement.GetProperty("usage"), PlainPrompt, Completion);
        Assert.Equal("[DONE]", events[^1].Data);
        var text = string.Concat(events.SkipLast(2).Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(Completion, Sim.Words(text));
        AssertOpenAiUsage(JsonDocument.Parse(events[^2].Data).RootElement.GetProperty("usage"), PlainPrompt, Completion);
    }

    [Fact]
    public async Task Anthropic_message_reports_input_and_output_tokens()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.Anthropic);
        using var json = await Sim.JsonAsync(response);
        var root = json.RootElement;

        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal("assistant", root.GetProperty("role").GetString());
        Assert.Equal("claude-3-5-sonnet-latest", root.GetProperty("model").GetString());
        Assert.Equal("text", root.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal(Completion, Sim.Words(root.GetProperty("content")[0].GetProperty("text").GetString()!));
        Assert.Equal("end_turn", root.GetProperty("stop_reason").GetString());
        Assert.Equal(ChatPrompt, root.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(Completion, root.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Anthropic_stream_follows_the_real_event_sequence()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.Anthropic, stream: true);
        var events = Sim.ParseSse(await Sim.TextAsync(response));

        string[] expected =
        [
            "message_start", "content_block_start", "ping",
            .. Enumerable.Repeat("content_block_delta", Completion),
            "content_block_stop", "message_delta", "message_stop",
        ];
        Assert.Equal(expected, events.Select(e => e.Event));
        Assert.All(events, e => Assert.Equal(e.Event, JsonDocument.Parse(e.Data).RootElement.GetProperty("type").GetString()));
        var start = JsonDocument.Parse(events[0].Data).RootElement.GetProperty("message");
        Assert.Equal(ChatPrompt, start.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var text = string.Concat(events.Where(e => e.Event == "content_block_delta")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal(Completion, Sim.Words(text));
        var delta = JsonDocument.Parse(events[^2].Data).RootElement;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(Completion, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Gemini_generate_content_has_candidates_usage_metadata_and_model_version()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.Gemini);
        using var json = await Sim.JsonAsync(response);
        var root = json.RootElement;

        var candidate = root.GetProperty("candidates")[0];
        Assert.Equal("model", candidate.GetProperty("content").GetProperty("role").GetString());
        Assert.Equal(Completion, Sim.Words(candidate.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()!));
        Assert.Equal("STOP", candidate.GetProperty("finishReason").GetString());
        AssertGeminiUsage(root.GetProperty("usageMetadata"), ChatPrompt, Completion);
        Assert.Equal("gemini-1.5-flash", root.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task Gemini_sse_stream_sends_usage_metadata_in_every_chunk()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.Gemini, stream: true);
        var body = await Sim.TextAsync(response);
        var chunks = Sim.ParseSse(body).Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();

        Assert.Contains("\r\n\r\n", body, StringComparison.Ordinal);
        Assert.Equal(Completion, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(ChatPrompt, c.GetProperty("usageMetadata").GetProperty("promptTokenCount").GetInt32()));
        AssertGeminiUsage(chunks[^1].GetProperty("usageMetadata"), ChatPrompt, Completion);
        Assert.Equal("STOP", chunks[^1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.False(chunks[0].GetProperty("candidates")[0].TryGetProperty("finishReason", out _));
    }

    [Fact]
    public async Task Gemini_stream_without_alt_sse_is_a_streamed_json_array()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.Gemini);
        using var request = SimulatedRequests.Create(SimulatedApi.Gemini, stream: true);
        request.RequestUri = new Uri("v1beta/models/gemini-1.5-pro:streamGenerateContent", UriKind.Relative);
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);

        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.Equal(Completion, json.RootElement.GetArrayLength());
        Assert.Equal("gemini-1.5-pro", json.RootElement[0].GetProperty("modelVersion").GetString());
        AssertGeminiUsage(json.RootElement[Completion - 1].GetProperty("usageMetadata"), ChatPrompt, Completion);
    }

    [Fact]
    public async Task Ollama_chat_reports_eval_counts_when_done()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.Ollama);
        using var json = await Sim.JsonAsync(response);
        var root = json.RootElement;

        Assert.Equal("llama3.1", root.GetProperty("model").GetString());
        Assert.Equal(Completion, Sim.Words(root.GetProperty("message").GetProperty("content").GetString()!));
        Assert.True(root.GetProperty("done").GetBoolean());
        Assert.Equal(ChatPrompt, root.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(Completion, root.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task Ollama_streams_ndjson_by_default_and_ends_with_done_and_counts()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.Ollama);
        using var request = Sim.Post("api/generate", """{"model":"llama3.1","prompt":"why is the sky blue"}""");
        using var response = await client.SendAsync(request, Sim.Ct);
        var lines = (await Sim.TextAsync(response)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal("application/x-ndjson", Sim.MediaType(response));
        Assert.Equal(Completion + 1, lines.Count);
        Assert.All(lines.SkipLast(1), l => Assert.False(l.GetProperty("done").GetBoolean()));
        Assert.Equal(Completion, Sim.Words(string.Concat(lines.Select(l => l.GetProperty("response").GetString()))));
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal(5, last.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(Completion, last.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task Tgi_generate_returns_generated_text_with_details_and_token_headers()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.HuggingFaceTgi);
        using var json = await Sim.JsonAsync(response);
        var root = json.RootElement;

        Assert.Equal(Completion, Sim.Words(root.GetProperty("generated_text").GetString()!));
        Assert.Equal(Completion, root.GetProperty("details").GetProperty("generated_tokens").GetInt32());
        Assert.Equal(Completion, root.GetProperty("details").GetProperty("tokens").GetArrayLength());
        Assert.Equal("12", response.Headers.GetValues("x-prompt-tokens").Single());
        Assert.Equal("16", response.Headers.GetValues("x-generated-tokens").Single());
    }

    [Fact]
    public async Task Tgi_compat_route_returns_an_array()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.HuggingFaceTgi);
        using var request = Sim.Post("", """{"inputs":"a b c","parameters":{"max_new_tokens":4,"details":true}}""");
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);

        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.Equal(4, json.RootElement[0].GetProperty("details").GetProperty("generated_tokens").GetInt32());
        Assert.Equal("length", json.RootElement[0].GetProperty("details").GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Tgi_generate_stream_sends_token_events_and_a_final_event_with_details()
    {
        await using var server = await Sim.StartAsync();
        using var response = await Sim.SendAsync(server, SimulatedApi.HuggingFaceTgi, stream: true);
        var body = await Sim.TextAsync(response);
        var events = Sim.ParseSse(body).Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();

        Assert.StartsWith("data:{", body, StringComparison.Ordinal);
        Assert.Equal(Completion, events.Count);
        Assert.All(events.SkipLast(1), e =>
        {
            Assert.Equal(JsonValueKind.Null, e.GetProperty("generated_text").ValueKind);
            Assert.Equal(JsonValueKind.Null, e.GetProperty("details").ValueKind);
            Assert.False(e.GetProperty("token").GetProperty("special").GetBoolean());
        });
        var last = events[^1];
        Assert.Equal(Completion, Sim.Words(last.GetProperty("generated_text").GetString()!));
        Assert.Equal(Completion, last.GetProperty("details").GetProperty("generated_tokens").GetInt32());
        Assert.Equal(PlainPrompt, last.GetProperty("details").GetProperty("input_length").GetInt32());
    }

    [Fact]
    public async Task Tei_embed_returns_deterministic_unit_vectors()
    {
        await using var server = await Sim.StartAsync();
        using var first = await Sim.SendAsync(server, SimulatedApi.HuggingFaceTei);
        using var second = await Sim.SendAsync(server, SimulatedApi.HuggingFaceTei);
        using var json = await Sim.JsonAsync(first);

        var vectors = json.RootElement;
        Assert.Equal(1, vectors.GetArrayLength());
        var vector = vectors[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(384, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 3);
        Assert.Equal(await Sim.TextAsync(first), await Sim.TextAsync(second));
        Assert.Equal("12", first.Headers.GetValues("x-compute-tokens").Single());
    }

    [Fact]
    public async Task Tei_embeds_each_input_of_a_batch()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.HuggingFaceTei);
        using var request = Sim.Post("embed", """{"inputs":["first text","second text here"]}""");
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);

        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Equal(5, server[SimulatedApi.HuggingFaceTei].TotalPromptTokens);
    }

    [Fact]
    public async Task Ovms_predict_maps_instances_to_predictions()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.Ovms);
        using var request = SimulatedRequests.CreateOvmsPredict("resnet50");
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);

        var predictions = json.RootElement.GetProperty("predictions");
        Assert.Equal(2, predictions.GetArrayLength());
        Assert.All(predictions.EnumerateArray(), p => Assert.Equal(1.0, p.EnumerateArray().Sum(v => v.GetDouble()), 4));
        Assert.Equal(1, server[SimulatedApi.Ovms].Succeeded);
    }

    [Fact]
    public async Task Ovms_predict_of_an_unknown_method_is_not_found()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.Ovms);
        using var request = Sim.Post("v1/models/resnet50:classify", """{"instances":[[1]]}""");
        using var response = await client.SendAsync(request, Sim.Ct);
        using var json = await Sim.JsonAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task S3_serves_the_seeded_object_and_round_trips_a_put()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.S3);
        using var seeded = await Sim.SendAsync(server, SimulatedApi.S3);
        byte[] content = [1, 2, 3, 4, 5, 250];
        using var put = SimulatedRequests.CreateS3Put("data/blob.bin", content);
        using var putResponse = await client.SendAsync(put, Sim.Ct);
        using var get = SimulatedRequests.Create(SimulatedApi.S3);
        get.RequestUri = new Uri("simulated-bucket/data/blob.bin", UriKind.Relative);
        using var getResponse = await client.SendAsync(get, Sim.Ct);

        Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
        using (var json = await Sim.JsonAsync(seeded))
        {
            Assert.True(json.RootElement.TryGetProperty("values", out _));
        }

        Assert.Equal(HttpStatusCode.OK, putResponse.StatusCode);
        Assert.Equal(putResponse.Headers.ETag, getResponse.Headers.ETag);
        Assert.Equal(content, await getResponse.Content.ReadAsByteArrayAsync(Sim.Ct));
        Assert.Equal(3, server[SimulatedApi.S3].Succeeded);
    }

    [Fact]
    public async Task S3_missing_key_is_a_404_NoSuchKey_xml_error()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.S3);
        using var request = SimulatedRequests.Create(SimulatedApi.S3);
        request.RequestUri = new Uri("simulated-bucket/missing.txt", UriKind.Relative);
        using var response = await client.SendAsync(request, Sim.Ct);
        var body = await Sim.TextAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/xml", Sim.MediaType(response));
        Assert.Contains("<Code>NoSuchKey</Code>", body, StringComparison.Ordinal);
        Assert.Contains("<Resource>/simulated-bucket/missing.txt</Resource>", body, StringComparison.Ordinal);
        Assert.Equal(0, server[SimulatedApi.S3].Succeeded);
    }

    [Fact]
    public async Task Streams_really_stream_one_flushed_chunk_at_a_time()
    {
        await using var server = await Sim.StartAsync(new SimulationOptions { StreamChunkDelay = TimeSpan.FromMilliseconds(100), CompletionTokens = 5 });
        using var client = Sim.Client(server, SimulatedApi.OpenAI);
        using var request = SimulatedRequests.Create(SimulatedApi.OpenAI, stream: true);

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Sim.Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Sim.Ct));
        var first = await reader.ReadLineAsync(Sim.Ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var rest = await reader.ReadToEndAsync(Sim.Ct);

        Assert.StartsWith("data: {", first, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        // 8 more chunks follow the first, 100 ms apart: the body was not sent in one piece. The bound leaves 500 ms
        // for this test to be slow between reading the first line and starting the watch (a busy CI machine).
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(300), $"rest of stream took {watch.Elapsed}");
    }

    private static void AssertOpenAiUsage(JsonElement usage, int prompt, int completion)
    {
        Assert.Equal(prompt, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(completion, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(prompt + completion, usage.GetProperty("total_tokens").GetInt32());
    }

    private static void AssertGeminiUsage(JsonElement usage, int prompt, int candidates)
    {
        Assert.Equal(prompt, usage.GetProperty("promptTokenCount").GetInt32());
        Assert.Equal(candidates, usage.GetProperty("candidatesTokenCount").GetInt32());
        Assert.Equal(prompt + candidates, usage.GetProperty("totalTokenCount").GetInt32());
    }
}
