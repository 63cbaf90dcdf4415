using System.Text.Json;

namespace Resilience.Metrics.Simulation.Tests;

public sealed class SimulatedRequestsTests
{
    public static TheoryData<SimulatedApi> AllApis => [.. Enum.GetValues<SimulatedApi>()];

    [Theory]
    [MemberData(nameof(AllApis))]
    public async Task Requests_are_relative_carry_the_model_and_a_json_body(SimulatedApi api)
    {
        using var request = SimulatedRequests.Create(api);

        Assert.False(request.RequestUri!.IsAbsoluteUri);
        Assert.True(request.Options.TryGetValue(SimulatedRequests.ModelOption, out var model));
        Assert.Equal(SimulatedRequests.DefaultModel(api), model);
        if (api == SimulatedApi.S3)
        {
            Assert.Equal(HttpMethod.Get, request.Method);
            Assert.StartsWith("AWS4-HMAC-SHA256 ", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
            return;
        }

        Assert.Equal(HttpMethod.Post, request.Method);
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(Sim.Ct));
        Assert.Equal(JsonValueKind.Object, body.RootElement.ValueKind);
    }

    [Theory]
    [InlineData(SimulatedApi.OpenAI, false, "v1/chat/completions")]
    [InlineData(SimulatedApi.Groq, false, "openai/v1/chat/completions")]
    [InlineData(SimulatedApi.Gemini, false, "v1beta/models/gemini-1.5-flash:generateContent")]
    [InlineData(SimulatedApi.Gemini, true, "v1beta/models/gemini-1.5-flash:streamGenerateContent?alt=sse")]
    [InlineData(SimulatedApi.HuggingFaceTgi, true, "generate_stream")]
    [InlineData(SimulatedApi.Ovms, false, "v3/chat/completions")]
    [InlineData(SimulatedApi.S3, false, "simulated-bucket/sample/object.json")]
    public void Requests_use_the_real_paths(SimulatedApi api, bool stream, string path)
    {
        using var request = SimulatedRequests.Create(api, stream: stream);

        Assert.Equal(path, request.RequestUri!.OriginalString);
    }

    [Fact]
    public async Task Streamed_openai_requests_ask_for_usage()
    {
        using var request = SimulatedRequests.Create(SimulatedApi.OpenAI, "gpt-4o", stream: true);
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(Sim.Ct));

        Assert.Equal("gpt-4o", body.RootElement.GetProperty("model").GetString());
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());
        Assert.True(body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("Bearer", request.Headers.Authorization?.Scheme);
    }

    [Fact]
    public async Task Ollama_requests_say_stream_false_explicitly()
    {
        using var request = SimulatedRequests.Create(SimulatedApi.Ollama);
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(Sim.Ct));

        Assert.False(body.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public void Default_models_are_realistic()
    {
        Assert.Equal("gpt-4o-mini", SimulatedRequests.DefaultModel(SimulatedApi.OpenAI));
        Assert.Equal("claude-3-5-sonnet-latest", SimulatedRequests.DefaultModel(SimulatedApi.Anthropic));
        Assert.Equal("llama-3.1-8b-instant", SimulatedRequests.DefaultModel(SimulatedApi.Groq));
        Assert.Equal("gemini-1.5-flash", SimulatedRequests.DefaultModel(SimulatedApi.Gemini));
        Assert.Equal("llama3.1", SimulatedRequests.DefaultModel(SimulatedApi.Ollama));
        Assert.Equal("bge-small-en", SimulatedRequests.DefaultModel(SimulatedApi.HuggingFaceTei));
    }

    [Fact]
    public void Anthropic_requests_carry_api_key_and_version_headers()
    {
        using var request = SimulatedRequests.Create(SimulatedApi.Anthropic);

        Assert.True(request.Headers.Contains("x-api-key"));
        Assert.Equal("2023-06-01", request.Headers.GetValues("anthropic-version").Single());
    }
}
