using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>
/// The simulated backends on loopback Kestrel, and real HttpClients from IHttpClientFactory with AddApiMonitoring,
/// one named client per API (named after its prefix: "openai", "anthropic", ...).
/// </summary>
internal sealed class MonitoredClients : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private MonitoredClients(SimulatedBackendServer server, ServiceProvider services)
    {
        Server = server;
        _services = services;
    }

    public SimulatedBackendServer Server { get; }

    public IServiceProvider Services => _services;

    public IMetricsReporter Reporter => _services.GetRequiredService<IMetricsReporter>();

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    /// <summary>The models (<c>SetApiModel</c>) of requests in the order they left the queue for the backend.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Admitted => _admitted;

    private System.Collections.Concurrent.ConcurrentQueue<string> _admitted = new();

    public static async Task<MonitoredClients> StartAsync(
        Action<SimulatedApi, ApiMonitoringOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        SimulationOptions? simulation = null)
    {
        var server = await SimulatedBackendServer.StartAsync(simulation, TestContext.Current.CancellationToken);
        var admitted = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        services?.Invoke(collection);
        foreach (var api in server.Apis)
        {
            collection.AddHttpClient(Name(api), client => client.BaseAddress = server.BaseAddressOf(api))
                .AddApiMonitoring(options =>
                {
                    options.ApiFormat = Format(api);
                    options.Retry.InitialRetryDelay = TimeSpan.Zero;
                    configure?.Invoke(api, options);
                })
                .AddHttpMessageHandler(() => new AdmissionRecorder(admitted));
        }

        var clients = new MonitoredClients(server, collection.BuildServiceProvider());
        while (admitted.TryDequeue(out _))
        {
        }

        clients._admitted = admitted;
        return clients;
    }

    public static string Name(SimulatedApi api) => SimulatedBackendServer.PrefixOf(api);

    public static ApiFormat Format(SimulatedApi api) => api switch
    {
        SimulatedApi.OpenAI => ApiFormat.OpenAI,
        SimulatedApi.Anthropic => ApiFormat.Anthropic,
        SimulatedApi.Groq => ApiFormat.Groq,
        SimulatedApi.Gemini => ApiFormat.Gemini,
        SimulatedApi.Ollama => ApiFormat.Ollama,
        SimulatedApi.HuggingFaceTgi => ApiFormat.HuggingFaceTgi,
        SimulatedApi.HuggingFaceTei => ApiFormat.HuggingFaceTei,
        SimulatedApi.Llvm => ApiFormat.Llvm,
        SimulatedApi.Ovms => ApiFormat.Ovms,
        SimulatedApi.Opea => ApiFormat.Opea,
        _ => ApiFormat.S3,
    };

    public HttpClient Client(SimulatedApi api) => _services.GetRequiredService<IHttpClientFactory>().CreateClient(Name(api));

    /// <summary>Sends the API's typical request and reads the whole body, as a caller would.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> SendAsync(SimulatedApi api, bool stream = false, Action<HttpRequestMessage>? prepare = null, CancellationToken cancellationToken = default)
    {
        using var request = SimulatedRequests.Create(api, stream: stream);
        prepare?.Invoke(request);
        var token = cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken;
        var response = await Client(api).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        var body = await response.Content.ReadAsStringAsync(token);
        return (response, body);
    }

    /// <summary>Sits inside the monitoring handler: it sees requests once the queue has admitted them.</summary>
    private sealed class AdmissionRecorder(System.Collections.Concurrent.ConcurrentQueue<string> admitted) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.TryGetApiModel(out var model))
            {
                admitted.Enqueue(model);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Server.DisposeAsync();
    }
}
