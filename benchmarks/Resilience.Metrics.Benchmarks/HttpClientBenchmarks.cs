using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Suite 2: a whole request through <see cref="HttpClient"/> against an in-memory primary handler (a new 200 response
/// with a small OpenAI JSON body): send a JSON POST, read the response body. The handler costs almost nothing, so
/// this is the worst case for any per-request overhead.
/// </summary>
[MemoryDiagnoser]
public class HttpClientBenchmarks
{
    private static readonly Uri Endpoint = new("http://bench.local/v1/chat/completions");

    private HttpClient _plain = null!;
    private HttpClient _factory = null!;
    private HttpClient _factoryPolly = null!;
    private HttpClient _monitored = null!;
    private HttpClient _monitoredNoBodies = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _pollyServices = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new HttpClient(new InMemoryOpenAIHandler());

        var services = new ServiceCollection();
        services.AddHttpClient("factory").ConfigurePrimaryHttpMessageHandler(static () => new InMemoryOpenAIHandler());
        services.AddHttpClient("bench")
            .AddApiMonitoring()
            .ConfigurePrimaryHttpMessageHandler(static () => new InMemoryOpenAIHandler());

        // The same monitoring with no body read (S3 bodies hold no model or tokens): what reading them costs.
        services.AddHttpClient("bench-no-bodies")
            .AddApiMonitoring(static o => o.ApiFormat = ApiFormat.S3)
            .ConfigurePrimaryHttpMessageHandler(static () => new InMemoryOpenAIHandler());
        _services = services.BuildServiceProvider();

        // Polly's handler without monitoring lives in a provider of its own, so no Resilience.Metrics service
        // (such as its Polly telemetry listener) touches it.
        var pollyServices = new ServiceCollection();
        pollyServices.AddHttpClient("polly")
            .ConfigurePrimaryHttpMessageHandler(static () => new InMemoryOpenAIHandler())
            .AddResilienceHandler("polly", static builder => PipelineBenchmarks.AddPollyStrategies(builder));
        _pollyServices = pollyServices.BuildServiceProvider();

        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _factory = factory.CreateClient("factory");
        _monitored = factory.CreateClient("bench");
        _monitoredNoBodies = factory.CreateClient("bench-no-bodies");
        _factoryPolly = _pollyServices.GetRequiredService<IHttpClientFactory>().CreateClient("polly");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _services.Dispose();
        _pollyServices.Dispose();
    }

    [Benchmark(Baseline = true, Description = "plain HttpClient")]
    public Task<string> A_Plain() => Send(_plain);

    [Benchmark(Description = "IHttpClientFactory client")]
    public Task<string> B_Factory() => Send(_factory);

    [Benchmark(Description = "factory + Polly handler (no monitoring)")]
    public Task<string> C_FactoryPolly() => Send(_factoryPolly);

    [Benchmark(Description = "factory + AddApiMonitoring")]
    public Task<string> D_Monitored() => Send(_monitored);

    [Benchmark(Description = "factory + AddApiMonitoring, bodies not read (S3 format)")]
    public Task<string> E_MonitoredNoBodies() => Send(_monitoredNoBodies);

    internal static Task<string> Send(HttpClient client) => Send(client, Endpoint);

    internal static async Task<string> Send(HttpClient client, Uri endpoint)
    {
        var content = new ByteArrayContent(BenchData.RequestJson);
        content.Headers.ContentType = BenchData.Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }
}
