using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Suite 2, second part: the same request as <see cref="HttpClientBenchmarks"/> against a real HTTP/1.1 server on the
/// loopback interface (Kestrel in this process, answering the same OpenAI JSON), so a request's time includes what
/// the fastest real backend costs: sockets, HTTP parsing, the server. Loopback only (127.0.0.1, an ephemeral port).
/// </summary>
[MemoryDiagnoser]
public class LoopbackHttpBenchmarks
{
    private WebApplication _server = null!;
    private HttpClient _plain = null!;
    private HttpClient _factory = null!;
    private HttpClient _monitored = null!;
    private HttpClient _polly = null!;
    private HttpClient _monitoredNoBodies = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _pollyServices = null!;
    private Uri _endpoint = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapPost("/v1/chat/completions", static () => Results.Bytes(BenchData.ResponseJson, "application/json"));
        _server.StartAsync().GetAwaiter().GetResult();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri(new Uri(address), "/v1/chat/completions");

        _plain = new HttpClient();
        var services = new ServiceCollection();
        services.AddHttpClient("factory");
        services.AddHttpClient("bench").AddApiMonitoring();
        services.AddHttpClient("bench-no-bodies").AddApiMonitoring(static o => o.ApiFormat = ApiFormat.S3);
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _factory = factory.CreateClient("factory");
        _monitored = factory.CreateClient("bench");
        _monitoredNoBodies = factory.CreateClient("bench-no-bodies");

        var pollyServices = new ServiceCollection();
        pollyServices.AddHttpClient("polly").AddResilienceHandler("polly", static builder => PipelineBenchmarks.AddPollyStrategies(builder));
        _pollyServices = pollyServices.BuildServiceProvider();
        _polly = _pollyServices.GetRequiredService<IHttpClientFactory>().CreateClient("polly");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _services.Dispose();
        _pollyServices.Dispose();
        _server.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_server).Dispose();
    }

    [Benchmark(Baseline = true, Description = "loopback: plain HttpClient")]
    public Task<string> A_Plain() => HttpClientBenchmarks.Send(_plain, _endpoint);

    [Benchmark(Description = "loopback: IHttpClientFactory client")]
    public Task<string> B_Factory() => HttpClientBenchmarks.Send(_factory, _endpoint);

    [Benchmark(Description = "loopback: factory + Polly handler (no monitoring)")]
    public Task<string> D_FactoryPolly() => HttpClientBenchmarks.Send(_polly, _endpoint);

    /// <summary>Monitoring without reading bodies (the S3 format reads no model or tokens): what reading them costs.</summary>
    [Benchmark(Description = "loopback: factory + AddApiMonitoring, bodies not read")]
    public Task<string> E_MonitoredWithoutBodies() => HttpClientBenchmarks.Send(_monitoredNoBodies, _endpoint);

    [Benchmark(Description = "loopback: factory + AddApiMonitoring")]
    public Task<string> C_Monitored() => HttpClientBenchmarks.Send(_monitored, _endpoint);
}
