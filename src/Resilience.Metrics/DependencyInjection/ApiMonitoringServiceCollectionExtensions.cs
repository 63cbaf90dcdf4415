using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Telemetry;
using Metrics = global::Resilience.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Resilience.Metrics: the collector and reporter, and monitored HttpClients.</summary>
public static partial class ApiMonitoringServiceCollectionExtensions
{
    /// <summary>The name of the resilience handler <c>AddApiMonitoring</c> adds to an HttpClient.</summary>
    public const string HandlerName = global::Resilience.Metrics.ObservedPipelines.MonitoringHandlerName;

    /// <summary>
    /// Registers the collector (<see cref="Metrics.IMetricsCollector"/>, <see cref="Metrics.MetricsCollector"/>), the
    /// reporter (<see cref="Metrics.IMetricsReporter"/>) and <see cref="TimeProvider.System"/>, each once, as singletons.
    /// </summary>
    public static IServiceCollection AddApiMonitoring(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => Published(new Metrics.MetricsCollector(sp.GetRequiredService<TimeProvider>()), sp));
        services.TryAddSingleton<Metrics.IMetricsCollector>(sp => sp.GetRequiredService<Metrics.MetricsCollector>());
        services.TryAddSingleton<Metrics.MetricsReporter>(sp => new Metrics.MetricsReporter(sp.GetRequiredService<Metrics.MetricsCollector>()));
        services.TryAddSingleton<Metrics.IMetricsReporter>(sp => sp.GetRequiredService<Metrics.MetricsReporter>());
        services.TryAddSingleton<Metrics.BackendClaims>();
        services.TryAddSingleton<Metrics.ApiMonitoringReloads>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Metrics.ApiMonitoringOptions>, Metrics.ApiMonitoringOptionsValidator>());

        // The pipelines of monitored clients that we did not build (AddStandardResilienceHandler, the application's
        // own), and pipelines named with ObserveResiliencePipeline, report their retries and circuit transitions
        // through Polly's telemetry; no other pipeline is listened to.
        if (!services.Any(d => d.ServiceType == typeof(PollyBridgeMarker)))
        {
            services.AddSingleton<PollyBridgeMarker>();
            services.AddOptions<TelemetryOptions>().Configure<IServiceProvider>((telemetry, sp) => telemetry.TelemetryListeners.Add(
                new Metrics.PollyTelemetryBridge(
                    Metrics.GuardedMetricsCollector.Wrap(sp.GetRequiredService<Metrics.IMetricsCollector>(), null, Reported(sp)),
                    sp.GetRequiredService<IOptions<Metrics.ObservedPipelines>>().Value,
                    client => sp.GetRequiredService<IOptionsMonitor<Metrics.ApiMonitoringOptions>>().Get(client).BackendName ?? client)));
        }

        return services;
    }

    /// <summary>
    /// Reports the retries and circuit transitions of a Polly pipeline of the application's own (registered with
    /// <c>AddResiliencePipeline(pipelineName, …)</c>) as those of <paramref name="backend"/>. The pipeline is found by its
    /// exact name; the pipelines of HttpClients that have <c>AddApiMonitoring</c> are observed without this.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="pipelineName">The pipeline's exact name.</param>
    /// <param name="backend">The backend its figures go to.</param>
    public static IServiceCollection ObserveResiliencePipeline(this IServiceCollection services, string pipelineName, string backend)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipelineName);
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        services.AddApiMonitoring();
        services.Configure<Metrics.ObservedPipelines>(o => o.Pipelines[pipelineName] = backend);
        return services;
    }

    /// <summary>
    /// Monitors this HttpClient as one backend (named after the client unless <c>BackendName</c> says otherwise):
    /// adds a resilience handler with request monitoring, priority queueing, retry, circuit breaker and attempt
    /// timeout, as configured. Options are validated at start-up; a bad value fails naming the option.
    /// </summary>
    public static IHttpClientBuilder AddApiMonitoring(this IHttpClientBuilder builder, Action<Metrics.ApiMonitoringOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<Metrics.ApiMonitoringOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.AddMonitoringHandler(options);
    }

    /// <summary>Like <see cref="AddApiMonitoring(IHttpClientBuilder, Action{Metrics.ApiMonitoringOptions}?)"/>, with options bound from configuration.</summary>
    public static IHttpClientBuilder AddApiMonitoring(this IHttpClientBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var options = builder.Services.AddOptions<Metrics.ApiMonitoringOptions>(builder.Name)
            .Bind(section)
            .Configure(o => o.ConfigurationProblem = Metrics.StrictBinding.UnknownKeys(section));
        return builder.AddMonitoringHandler(options);
    }

    private static IHttpClientBuilder AddMonitoringHandler(this IHttpClientBuilder builder, OptionsBuilder<Metrics.ApiMonitoringOptions> options)
    {
        var name = builder.Name;
        builder.Services.AddApiMonitoring();
        builder.Services.Configure<Metrics.ObservedPipelines>(o => o.Clients.Add(name));
        options.PostConfigure(o => o.BackendName ??= name).ValidateOnStart();
        builder.Services.AddSingleton(new Metrics.MonitoredClient(name));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, Metrics.MonitoredClientsRegistration>());

        // Outermost, whatever the order of the client's other handlers: one call per logical request.
        Metrics.OutermostHandler.MarkNext(builder);
        builder.AddResilienceHandler(HandlerName, (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            var loggerFactory = services.GetService<ILoggerFactory>();

            // A changed option rebuilds the pipeline (as Microsoft.Extensions.Http.Resilience's own handlers do); the
            // queue is kept and resized, every count lives in the collector, and a bad value keeps the last good options.
            context.EnableReloads<Metrics.ApiMonitoringOptions>(name);
            var reloads = services.GetRequiredService<Metrics.ApiMonitoringReloads>();
            var options = reloads.Accept(name, context.GetOptions<Metrics.ApiMonitoringOptions>(name), loggerFactory, out var rebuild);
            var collector = services.GetRequiredService<Metrics.IMetricsCollector>();
            var reported = Reported(services);
            if (rebuild)
            {
                Metrics.ApiMonitoringReloads.RecordRebuiltBreaker(reported, options);
            }

            Polly.ApiMonitoringPipelineBuilderExtensions.AddApiMonitoring(
                pipeline,
                options,
                collector,
                loggerFactory,
                Metrics.HttpClientTimeout.Read(services.GetService<IOptionsMonitor<HttpClientFactoryOptions>>()?.Get(name)),
                (backend, guarded, queue) => reloads.Queue(name, backend, guarded, queue),
                reported);
        });
        return builder;
    }

    /// <summary>
    /// The collector the reports read, with its OpenTelemetry instruments attached: OpenTelemetry is an observer beside
    /// the collector, attached here (once; a MetricsCollector the application registered itself included) rather than
    /// made by the collector. Resolved when a pipeline is built, never per request.
    /// </summary>
    private static Metrics.MetricsCollector Reported(IServiceProvider services) =>
        Published(services.GetRequiredService<Metrics.MetricsCollector>(), services);

    private static Metrics.MetricsCollector Published(Metrics.MetricsCollector collector, IServiceProvider services)
    {
        Metrics.ApiMonitoringTelemetry.Publish(collector, services.GetService<System.Diagnostics.Metrics.IMeterFactory>());
        return collector;
    }

    /// <summary>Marks that the Polly telemetry bridge is registered, so it is added once.</summary>
    private sealed class PollyBridgeMarker;
}
