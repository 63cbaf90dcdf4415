using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Resilience.Metrics.Simulation.Protocols;

namespace Resilience.Metrics.Simulation;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that simulates all <see cref="SimulatedApi"/> backends, each under its own
/// path prefix, with the APIs' real request and response shapes (streaming included), scripted faults and latency.
/// </summary>
/// <example>
/// <code>
/// await using var server = await SimulatedBackendServer.StartAsync();
/// using var client = new HttpClient { BaseAddress = server.BaseAddressOf(SimulatedApi.OpenAI) };
/// server[SimulatedApi.OpenAI].Enqueue(SimulatedFault.Status(429, TimeSpan.FromSeconds(1)));
/// using var response = await client.SendAsync(SimulatedRequests.Create(SimulatedApi.OpenAI)); // 429
/// </code>
/// </example>
public sealed class SimulatedBackendServer : IAsyncDisposable
{
    private static readonly SimulatedApi[] AllApis = Enum.GetValues<SimulatedApi>();

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly Dictionary<SimulatedApi, BackendControl> _controls;
    private int _disposed;

    private SimulatedBackendServer(WebApplication app, CancellationTokenSource stopping, Dictionary<SimulatedApi, BackendControl> controls, int port)
    {
        _app = app;
        _stopping = stopping;
        _controls = controls;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>The server's root address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Every simulated API, in <see cref="SimulatedApi"/> order.</summary>
    public IReadOnlyList<SimulatedApi> Apis { get; } = Array.AsReadOnly(AllApis);

    /// <summary>The control of one API's backend: latency, faults and counters.</summary>
    public BackendControl this[SimulatedApi api] =>
        _controls.TryGetValue(api, out var control) ? control : throw new ArgumentOutOfRangeException(nameof(api), api, "Unknown API.");

    /// <summary>
    /// Starts a server on 127.0.0.1 (port 0, or <see cref="SimulationOptions.Port"/>) serving every API.
    /// </summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns>The running server; dispose it to stop it and release the port.</returns>
    public static async Task<SimulatedBackendServer> StartAsync(SimulationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var settings = Snapshot(options ?? new SimulationOptions());
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Port, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Port, IPEndPoint.MaxPort, nameof(options));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SimulatedBackendServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The host application's appsettings / environment must not reconfigure (or re-bind) this server.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        settings.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, settings.Port);
        });

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var state = new ServerState(settings.TimeProvider);
        S3Handler.Seed(state);
        var controls = AllApis.ToDictionary(api => api, api => new BackendControl(api, settings));
        foreach (var (api, method, pattern, handler) in Routes())
        {
            var dispatcher = new Dispatcher(api, handler, controls[api], state, stopping.Token);
            app.MapMethods(pattern, [method], new RequestDelegate(dispatcher.HandleAsync));
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new SimulatedBackendServer(app, stopping, controls, new Uri(address).Port);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }
    }

    /// <summary>The path prefix of an API, without slashes (<c>openai</c>, <c>tgi</c>, <c>s3</c>, ...).</summary>
    public static string PrefixOf(SimulatedApi api) => api switch
    {
        SimulatedApi.OpenAI => "openai",
        SimulatedApi.Anthropic => "anthropic",
        SimulatedApi.Groq => "groq",
        SimulatedApi.Gemini => "gemini",
        SimulatedApi.Ollama => "ollama",
        SimulatedApi.HuggingFaceTgi => "tgi",
        SimulatedApi.HuggingFaceTei => "tei",
        SimulatedApi.Llvm => "llvm",
        SimulatedApi.Ovms => "ovms",
        SimulatedApi.Opea => "opea",
        SimulatedApi.S3 => "s3",
        _ => throw new ArgumentOutOfRangeException(nameof(api), api, "Unknown API."),
    };

    /// <summary>
    /// The base address of one API, for an <see cref="HttpClient.BaseAddress"/> that
    /// <see cref="SimulatedRequests"/>' relative URIs resolve against, e.g. <c>http://127.0.0.1:PORT/openai/</c>.
    /// </summary>
    public Uri BaseAddressOf(SimulatedApi api) => new(BaseAddress, PrefixOf(api) + "/");

    /// <summary>Resets every backend's control (<see cref="BackendControl.Reset"/>).</summary>
    public void Reset()
    {
        foreach (var control in _controls.Values)
        {
            control.Reset();
        }
    }

    /// <summary>Stops the server promptly: in-flight delays and streams end and their connections are aborted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Kestrel aborts what is left when the stop times out.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static SimulationOptions Snapshot(SimulationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.CompletionTokens, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StreamChunkDelay, TimeSpan.Zero, nameof(options));
        return new SimulationOptions
        {
            Port = options.Port,
            CompletionTokens = options.CompletionTokens,
            StreamChunkDelay = options.StreamChunkDelay,
            TimeProvider = options.TimeProvider ?? TimeProvider.System,
            ConfigureLogging = options.ConfigureLogging,
        };
    }

    private static IEnumerable<(SimulatedApi Api, string Method, string Pattern, ApiHandler Handler)> Routes()
    {
        const string Post = "POST";
        yield return (SimulatedApi.OpenAI, Post, "/openai/v1/chat/completions", new OpenAiHandler(completions: false));
        yield return (SimulatedApi.OpenAI, Post, "/openai/v1/completions", new OpenAiHandler(completions: true));
        yield return (SimulatedApi.Anthropic, Post, "/anthropic/v1/messages", new AnthropicHandler());
        yield return (SimulatedApi.Groq, Post, "/groq/openai/v1/chat/completions", new OpenAiHandler(completions: false, groq: true));
        yield return (SimulatedApi.Gemini, Post, "/gemini/{version}/models/{target}", new GeminiHandler());
        yield return (SimulatedApi.Ollama, Post, "/ollama/api/chat", new OllamaHandler(chat: true));
        yield return (SimulatedApi.Ollama, Post, "/ollama/api/generate", new OllamaHandler(chat: false));
        yield return (SimulatedApi.HuggingFaceTgi, Post, "/tgi/generate", new TgiHandler(TgiRoute.Generate));
        yield return (SimulatedApi.HuggingFaceTgi, Post, "/tgi/generate_stream", new TgiHandler(TgiRoute.GenerateStream));
        yield return (SimulatedApi.HuggingFaceTgi, Post, "/tgi", new TgiHandler(TgiRoute.Compat));
        yield return (SimulatedApi.HuggingFaceTgi, Post, "/tgi/v1/chat/completions", new OpenAiHandler(completions: false));
        yield return (SimulatedApi.HuggingFaceTei, Post, "/tei/embed", new TeiHandler());
        yield return (SimulatedApi.Llvm, Post, "/llvm/v1/completions", new OpenAiHandler(completions: true));
        yield return (SimulatedApi.Llvm, Post, "/llvm/v1/chat/completions", new OpenAiHandler(completions: false));
        yield return (SimulatedApi.Ovms, Post, "/ovms/v1/models/{target}", new OvmsPredictHandler());
        yield return (SimulatedApi.Ovms, Post, "/ovms/v3/chat/completions", new OpenAiHandler(completions: false));
        yield return (SimulatedApi.Ovms, Post, "/ovms/v3/completions", new OpenAiHandler(completions: true));
        yield return (SimulatedApi.Opea, Post, "/opea/v1/chat/completions", new OpenAiHandler(completions: false));
        yield return (SimulatedApi.S3, "GET", "/s3/{bucket}/{**key}", new S3Handler(put: false));
        yield return (SimulatedApi.S3, "PUT", "/s3/{bucket}/{**key}", new S3Handler(put: true));
    }

    /// <summary>The owner stops the server by disposing it: no Ctrl+C / SIGTERM handling of its own.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
