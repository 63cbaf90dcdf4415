using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Resilience.Metrics.Simulation.Protocols;

namespace Resilience.Metrics.Simulation;

/// <summary>
/// Realistic requests for each <see cref="SimulatedApi"/>: the real path (relative to
/// <see cref="SimulatedBackendServer.BaseAddressOf"/>), JSON body and fake credential headers.
/// </summary>
public static class SimulatedRequests
{
    /// <summary>The system prompt of the chat requests.</summary>
    public const string SystemPrompt = "You are a concise assistant for site reliability engineers.";

    /// <summary>The user prompt (also the plain prompt / inputs of completion, TGI and TEI requests).</summary>
    public const string UserPrompt = "Explain in one paragraph how a circuit breaker protects an API client.";

    /// <summary>The <c>max_tokens</c> (or equivalent) the requests ask for; above the default completion size.</summary>
    public const int MaxTokens = 256;

    /// <summary>The model (or S3 bucket) of a created request, in <see cref="HttpRequestMessage.Options"/>.</summary>
    public static HttpRequestOptionsKey<string> ModelOption { get; } = new("Resilience.Metrics.Simulation.Model");

    /// <summary>A typical model name for the API; for S3, the bucket that holds the seeded object.</summary>
    public static string DefaultModel(SimulatedApi api) => api switch
    {
        SimulatedApi.OpenAI => "gpt-4o-mini",
        SimulatedApi.Anthropic => "claude-3-5-sonnet-latest",
        SimulatedApi.Groq => "llama-3.1-8b-instant",
        SimulatedApi.Gemini => "gemini-1.5-flash",
        SimulatedApi.Ollama => "llama3.1",
        SimulatedApi.HuggingFaceTgi => "tgi-model",
        SimulatedApi.HuggingFaceTei => "bge-small-en",
        SimulatedApi.Llvm => "meta-llama/Llama-3.1-8B-Instruct",
        SimulatedApi.Ovms => "OpenVINO/Phi-3.5-mini-instruct-int4-ov",
        SimulatedApi.Opea => "Intel/neural-chat-7b-v3-3",
        SimulatedApi.S3 => S3Handler.SeedBucket,
        _ => throw new ArgumentOutOfRangeException(nameof(api), api, "Unknown API."),
    };

    /// <summary>
    /// The prompt tokens the server counts (and reports) for a request made by <see cref="Create"/>:
    /// the words of its prompts. 0 for S3.
    /// </summary>
    public static int PromptTokens(SimulatedApi api) => api switch
    {
        SimulatedApi.S3 => 0,
        SimulatedApi.Llvm or SimulatedApi.HuggingFaceTgi or SimulatedApi.HuggingFaceTei => Text.CountWords(UserPrompt),
        _ => Text.CountWords(SystemPrompt) + Text.CountWords(UserPrompt),
    };

    /// <summary>
    /// Builds the API's typical request: a chat (or completion, generation, embedding, S3 GET of the seeded
    /// object) with a relative URI, a JSON body and the credential headers the real API expects.
    /// </summary>
    /// <param name="api">The API.</param>
    /// <param name="model">The model (for S3, the bucket); default <see cref="DefaultModel"/>.</param>
    /// <param name="stream">Ask for a streamed response (SSE, or NDJSON for Ollama). Ignored by TEI and S3.</param>
    /// <remarks>
    /// Paths: OpenAI <c>v1/chat/completions</c>; Anthropic <c>v1/messages</c>; Groq <c>openai/v1/chat/completions</c>;
    /// Gemini <c>v1beta/models/{model}:generateContent</c> or <c>:streamGenerateContent?alt=sse</c>; Ollama
    /// <c>api/chat</c>; TGI <c>generate</c> or <c>generate_stream</c>; TEI <c>embed</c>; LLVM <c>v1/completions</c>;
    /// OVMS <c>v3/chat/completions</c> (see <see cref="CreateOvmsPredict"/> for <c>:predict</c>); OPEA
    /// <c>v1/chat/completions</c>; S3 <c>GET {bucket}/sample/object.json</c> (see <see cref="CreateS3Put"/>).
    /// Streamed OpenAI-style requests set <c>stream_options.include_usage</c>.
    /// </remarks>
    public static HttpRequestMessage Create(SimulatedApi api, string? model = null, bool stream = false)
    {
        model ??= DefaultModel(api);
        var request = api switch
        {
            SimulatedApi.OpenAI or SimulatedApi.Groq or SimulatedApi.Opea or SimulatedApi.Ovms => OpenAiChat(api, model, stream),
            SimulatedApi.Anthropic => Anthropic(model, stream),
            SimulatedApi.Gemini => Gemini(model, stream),
            SimulatedApi.Ollama => Ollama(model, stream),
            SimulatedApi.HuggingFaceTgi => Tgi(stream),
            SimulatedApi.HuggingFaceTei => Tei(),
            SimulatedApi.Llvm => LlvmCompletion(model, stream),
            SimulatedApi.S3 => S3Get(model),
            _ => throw new ArgumentOutOfRangeException(nameof(api), api, "Unknown API."),
        };
        request.Options.Set(ModelOption, model);
        return request;
    }

    /// <summary>An OVMS TF-Serving style <c>POST v1/models/{model}:predict</c> with <c>{"instances": [...]}</c>.</summary>
    /// <param name="model">The served model name.</param>
    public static HttpRequestMessage CreateOvmsPredict(string model = "resnet50")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var request = Post($"v1/models/{Uri.EscapeDataString(model)}:predict", w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("instances");
            for (var row = 0; row < 2; row++)
            {
                w.WriteStartArray();
                for (var i = 0; i < 4; i++)
                {
                    w.WriteNumberValue((row * 4) + i + 0.5);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        Bearer(request, "sk-test-simulated-ovms");
        request.Options.Set(ModelOption, model);
        return request;
    }

    /// <summary>An S3 <c>PUT {bucket}/{key}</c> with <paramref name="content"/> and a fake SigV4 <c>Authorization</c>.</summary>
    /// <param name="key">The object key.</param>
    /// <param name="content">The object's bytes.</param>
    /// <param name="bucket">The bucket; default <see cref="DefaultModel"/> of S3.</param>
    public static HttpRequestMessage CreateS3Put(string key, byte[] content, string? bucket = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(content);
        bucket ??= DefaultModel(SimulatedApi.S3);
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"{bucket}/{key}", UriKind.Relative))
        {
            Content = new ByteArrayContent(content),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        SignS3(request);
        request.Options.Set(ModelOption, bucket);
        return request;
    }

    private static HttpRequestMessage OpenAiChat(SimulatedApi api, string model, bool stream)
    {
        var path = api switch
        {
            SimulatedApi.Groq => "openai/v1/chat/completions",
            SimulatedApi.Ovms => "v3/chat/completions",
            _ => "v1/chat/completions",
        };
        var request = Post(path, w =>
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteStartArray("messages");
            Message(w, "system", SystemPrompt);
            Message(w, "user", UserPrompt);
            w.WriteEndArray();
            w.WriteNumber("max_tokens", MaxTokens);
            w.WriteNumber("temperature", 0.2);
            WriteStream(w, stream, includeUsage: true);
            w.WriteEndObject();
        }, stream);
        Bearer(request, api switch
        {
            SimulatedApi.Groq => "gsk_test_simulated_key",
            SimulatedApi.OpenAI => "sk-test-simulated-openai-key",
            _ => "sk-test-simulated-key",
        });
        return request;
    }

    private static HttpRequestMessage LlvmCompletion(string model, bool stream)
    {
        var request = Post("v1/completions", w =>
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteString("prompt", UserPrompt);
            w.WriteNumber("max_tokens", MaxTokens);
            w.WriteNumber("temperature", 0.2);
            WriteStream(w, stream, includeUsage: true);
            w.WriteEndObject();
        }, stream);
        Bearer(request, "sk-test-simulated-key");
        return request;
    }

    private static HttpRequestMessage Anthropic(string model, bool stream)
    {
        var request = Post("v1/messages", w =>
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteNumber("max_tokens", MaxTokens);
            w.WriteString("system", SystemPrompt);
            w.WriteStartArray("messages");
            Message(w, "user", UserPrompt);
            w.WriteEndArray();
            WriteStream(w, stream, includeUsage: false);
            w.WriteEndObject();
        }, stream);
        request.Headers.Add("x-api-key", "sk-ant-test-simulated-key");
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    private static HttpRequestMessage Gemini(string model, bool stream)
    {
        var path = $"v1beta/models/{Uri.EscapeDataString(model)}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent");
        var request = Post(path, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("systemInstruction");
            Parts(w, SystemPrompt);
            w.WriteEndObject();
            w.WriteStartArray("contents");
            w.WriteStartObject();
            w.WriteString("role", "user");
            Parts(w, UserPrompt);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("generationConfig");
            w.WriteNumber("maxOutputTokens", MaxTokens);
            w.WriteNumber("temperature", 0.2);
            w.WriteEndObject();
            w.WriteEndObject();
        }, stream);
        request.Headers.Add("x-goog-api-key", "AIzaSy-test-simulated-key");
        return request;

        static void Parts(Utf8JsonWriter w, string text)
        {
            w.WriteStartArray("parts");
            w.WriteStartObject();
            w.WriteString("text", text);
            w.WriteEndObject();
            w.WriteEndArray();
        }
    }

    private static HttpRequestMessage Ollama(string model, bool stream)
    {
        var request = Post("api/chat", w =>
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteStartArray("messages");
            Message(w, "system", SystemPrompt);
            Message(w, "user", UserPrompt);
            w.WriteEndArray();
            w.WriteBoolean("stream", stream); // explicit: Ollama streams when "stream" is absent
            w.WriteStartObject("options");
            w.WriteNumber("num_predict", MaxTokens);
            w.WriteNumber("temperature", 0.2);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "application/x-ndjson" : "application/json"));
        return request;
    }

    private static HttpRequestMessage Tgi(bool stream)
    {
        var request = Post(stream ? "generate_stream" : "generate", w =>
        {
            w.WriteStartObject();
            w.WriteString("inputs", UserPrompt);
            w.WriteStartObject("parameters");
            w.WriteNumber("max_new_tokens", MaxTokens);
            w.WriteBoolean("details", true);
            w.WriteNumber("temperature", 0.2);
            w.WriteEndObject();
            w.WriteEndObject();
        }, stream);
        Bearer(request, "hf_test_simulated_token");
        return request;
    }

    private static HttpRequestMessage Tei()
    {
        var request = Post("embed", w =>
        {
            w.WriteStartObject();
            w.WriteString("inputs", UserPrompt);
            w.WriteBoolean("normalize", true);
            w.WriteEndObject();
        });
        Bearer(request, "hf_test_simulated_token");
        return request;
    }

    private static HttpRequestMessage S3Get(string bucket)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{bucket}/{S3Handler.SeedKey}", UriKind.Relative));
        SignS3(request);
        return request;
    }

    private static HttpRequestMessage Post(string path, Action<Utf8JsonWriter> body, bool stream = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new ByteArrayContent(Text.Json(body)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (stream)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        return request;
    }

    private static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    private static void WriteStream(Utf8JsonWriter w, bool stream, bool includeUsage)
    {
        w.WriteBoolean("stream", stream);
        if (stream && includeUsage)
        {
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            w.WriteEndObject();
        }
    }

    private static void Bearer(HttpRequestMessage request, string key) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

    private static void SignS3(HttpRequestMessage request)
    {
        var now = TimeProvider.System.GetUtcNow();
        var date = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        request.Headers.Add("x-amz-date", now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        request.Headers.Add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential=AKIATESTSIMULATED000/{date}/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + new string('0', 64));
    }
}
