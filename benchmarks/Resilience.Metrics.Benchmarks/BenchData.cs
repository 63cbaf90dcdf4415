using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Resilience.Metrics.Benchmarks;

/// <summary>Inputs shared by the suites: a model name, synthetic latencies, an OpenAI-shaped response.</summary>
internal static class BenchData
{
    public const string Model = "gpt-4o-mini";

    /// <summary>A small OpenAI chat completion with usage, as an in-memory backend returns it.</summary>
    public static readonly byte[] ResponseJson = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""");

    /// <summary>The request body the client sends.</summary>
    public static readonly byte[] RequestJson = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}""");

    public static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Log-normal latencies (median ≈ 200 ms, σ = 0.6) as ticks; deterministic.</summary>
    public static long[] LatencyTicks(int count, int seed = 42)
    {
        var random = new Random(seed);
        var ticks = new long[count];
        for (var i = 0; i < ticks.Length; i++)
        {
            ticks[i] = (long)(LogNormal(random, Math.Log(200), 0.6) * TimeSpan.TicksPerMillisecond);
        }

        return ticks;
    }

    public static double StandardNormal(Random random)
    {
        // Box–Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double LogNormal(Random random, double mu, double sigma) => Math.Exp(mu + (sigma * StandardNormal(random)));
}

/// <summary>The in-memory primary handler: a new 200 response with a small JSON body carrying OpenAI usage.</summary>
internal sealed class InMemoryOpenAIHandler : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Respond(request));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => Respond(request);

    private static HttpResponseMessage Respond(HttpRequestMessage request)
    {
        var content = new ByteArrayContent(BenchData.ResponseJson);
        content.Headers.ContentType = BenchData.Json;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
