using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>
/// How the demo simulates and drives one API: its latency, traffic share, models, streaming share and the
/// monitoring options of its HttpClient.
/// </summary>
/// <param name="Api">The simulated API.</param>
/// <param name="Format">The <see cref="ApiMonitoringOptions.ApiFormat"/> of its client.</param>
/// <param name="Weight">Its share of the traffic, relative to the others.</param>
/// <param name="Median">The median latency of the simulated backend (log-normal).</param>
/// <param name="Sigma">The log-normal sigma: the width of the latency's tail.</param>
/// <param name="AttemptTimeout">The client's per-attempt timeout.</param>
/// <param name="StreamShare">The share of requests that ask for a streamed response.</param>
/// <param name="CompletionTokens">The tokens a simulated generation produces.</param>
/// <param name="ChunkDelay">The pause between two chunks of a simulated stream.</param>
/// <param name="Models">The models asked for, with their shares.</param>
internal sealed record DemoBackend(
    SimulatedApi Api,
    ApiFormat Format,
    double Weight,
    TimeSpan Median,
    double Sigma,
    TimeSpan AttemptTimeout,
    double StreamShare,
    int CompletionTokens,
    TimeSpan ChunkDelay,
    IReadOnlyList<(string Model, double Share)> Models)
{
    /// <summary>The backend's name: the API's prefix (<c>openai</c>, <c>tgi</c>, ...), also its HttpClient's name.</summary>
    public string Name => SimulatedBackendServer.PrefixOf(Api);

    /// <summary>The environment variable a real endpoint's key is read from, e.g. <c>OPENAI_API_KEY</c>.</summary>
    public string KeyVariable => Name.ToUpperInvariant() + "_API_KEY";

    /// <summary>
    /// Every API with its character: Groq and TEI fast, OpenAI medium, Anthropic slower, self-hosted servers in
    /// between, S3 fast with a long tail.
    /// </summary>
    public static IReadOnlyList<DemoBackend> All { get; } =
    [
        new(SimulatedApi.OpenAI, ApiFormat.OpenAI, 3, Ms(320), 0.45, Ms(2000), 0.35, 48, Ms(4), [("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)]),
        new(SimulatedApi.Anthropic, ApiFormat.Anthropic, 2, Ms(550), 0.5, Ms(3000), 0.4, 64, Ms(6), [("claude-3-5-sonnet-latest", 0.6), ("claude-3-5-haiku-latest", 0.4)]),
        new(SimulatedApi.Groq, ApiFormat.Groq, 2, Ms(70), 0.35, Ms(1000), 0.5, 64, Ms(1), [("llama-3.1-8b-instant", 0.65), ("llama-3.3-70b-versatile", 0.35)]),
        new(SimulatedApi.Gemini, ApiFormat.Gemini, 2, Ms(280), 0.45, Ms(2000), 0.3, 40, Ms(5), [("gemini-1.5-flash", 0.75), ("gemini-1.5-pro", 0.25)]),
        new(SimulatedApi.Ollama, ApiFormat.Ollama, 1, Ms(380), 0.4, Ms(2500), 0.5, 32, Ms(8), [("llama3.1", 0.6), ("qwen2.5:7b", 0.4)]),
        new(SimulatedApi.HuggingFaceTgi, ApiFormat.HuggingFaceTgi, 1, Ms(220), 0.35, Ms(2000), 0.4, 32, Ms(4), [("tgi-model", 1)]),
        new(SimulatedApi.HuggingFaceTei, ApiFormat.HuggingFaceTei, 2, Ms(12), 0.3, Ms(500), 0, 0, TimeSpan.Zero, [("bge-small-en", 1)]),
        new(SimulatedApi.Llvm, ApiFormat.Llvm, 1, Ms(160), 0.35, Ms(1500), 0.3, 40, Ms(3), [("meta-llama/Llama-3.1-8B-Instruct", 1)]),
        new(SimulatedApi.Ovms, ApiFormat.Ovms, 1, Ms(90), 0.3, Ms(1000), 0.2, 24, Ms(3), [("OpenVINO/Phi-3.5-mini-instruct-int4-ov", 0.75), ("resnet50", 0.25)]),
        new(SimulatedApi.Opea, ApiFormat.Opea, 1, Ms(260), 0.4, Ms(2000), 0.3, 32, Ms(5), [("Intel/neural-chat-7b-v3-3", 1)]),
        new(SimulatedApi.S3, ApiFormat.S3, 1, Ms(28), 0.5, Ms(500), 0, 0, TimeSpan.Zero, [("simulated-bucket", 1)]),
    ];

    public static DemoBackend Of(SimulatedApi api) => All.First(b => b.Api == api);

    /// <summary>The latency model of the simulated backend: log-normal with rare 6× spikes.</summary>
    public LatencyModel Latency(int seed) => LatencyModel.LogNormal(Median, Sigma, seed, tailProbability: 0.01, tailMultiplier: 6);

    /// <summary>The monitoring options of this backend's HttpClient.</summary>
    public void Configure(ApiMonitoringOptions options)
    {
        options.ApiFormat = Format;
        options.RequestTracing = true;
        options.DetailedLatency = true;
        options.AttemptTimeout = AttemptTimeout;

        options.Queue.MaxConcurrentRequests = 6;
        options.Queue.QueueSize = 64;

        options.Retry.MaxRetries = 2;
        options.Retry.InitialRetryDelay = Ms(100);
        options.Retry.BackoffFactor = 2;
        options.Retry.MaxRetryDelay = TimeSpan.FromSeconds(2); // a Retry-After of 1 s is honoured

        // Opens after 5 failed attempts with no success in 2 s, probes again after 3 s: an outage of ten seconds
        // shows open, half-open, open again, and the recovery, within the default 30 s run.
        options.CircuitBreaker.FailureThreshold = 5;
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(2);
        options.CircuitBreaker.ResetTimeout = TimeSpan.FromSeconds(3);

        foreach (var (model, price) in PricesOf(Api))
        {
            options.Pricing[model] = price;
        }
    }

    /// <summary>
    /// Illustrative list prices in USD per million tokens (input, output, cached input) of the hosted APIs, so the demo
    /// shows spend: not a quote. Self-hosted servers (Ollama, TGI, ...) have no price table, and so no cost figures.
    /// </summary>
    private static IEnumerable<(string Model, ModelPrice Price)> PricesOf(SimulatedApi api) => api switch
    {
        SimulatedApi.OpenAI => [("gpt-4o-mini", Price(0.15, 0.60, 0.075)), ("gpt-4o", Price(2.5, 10, 1.25))],
        SimulatedApi.Anthropic => [("claude-3-5-sonnet", Price(3, 15, 0.30)), ("claude-3-5-haiku", Price(0.80, 4, 0.08))],
        SimulatedApi.Groq => [("llama-3.1-8b-instant", Price(0.05, 0.08)), ("llama-3.3-70b-versatile", Price(0.59, 0.79))],
        SimulatedApi.Gemini => [("gemini-1.5-flash", Price(0.075, 0.30)), ("gemini-1.5-pro", Price(1.25, 5))],
        _ => [],
    };

    private static ModelPrice Price(double input, double output, double? cachedInput = null) =>
        new() { InputPerMillion = input, OutputPerMillion = output, CachedInputPerMillion = cachedInput };

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
