using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Metrics = global::Resilience.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Resilience.Metrics alerting: threshold checks on an interval, sent to <see cref="Metrics.IAlertSink"/>s.</summary>
public static partial class ApiMonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="Metrics.IAlertMonitor"/>, a hosted service that runs it every
    /// <see cref="Metrics.ApiMonitoringAlertOptions.CheckInterval"/> (timed by the DI <see cref="TimeProvider"/>), and the
    /// default sink that logs alerts (category <c>Resilience.Metrics.Alerts</c>); also calls <c>AddApiMonitoring()</c>.
    /// Add sinks with <c>services.AddSingleton&lt;IAlertSink, MySink&gt;()</c>. Options are validated at start-up; a bad
    /// value fails naming the option. Safe to call more than once (each <paramref name="configure"/> applies).
    /// </summary>
    public static IServiceCollection AddApiMonitoringAlerts(this IServiceCollection services, Action<Metrics.ApiMonitoringAlertOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<Metrics.ApiMonitoringAlertOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services.AddAlertServices(options);
    }

    /// <summary>Like <see cref="AddApiMonitoringAlerts(IServiceCollection, Action{Metrics.ApiMonitoringAlertOptions}?)"/>, with options bound from configuration.</summary>
    public static IServiceCollection AddApiMonitoringAlerts(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return services.AddAlertServices(services.AddOptions<Metrics.ApiMonitoringAlertOptions>().Bind(section));
    }

    private static IServiceCollection AddAlertServices(this IServiceCollection services, OptionsBuilder<Metrics.ApiMonitoringAlertOptions> options)
    {
        services.AddApiMonitoring();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Metrics.ApiMonitoringAlertOptions>, Metrics.ApiMonitoringAlertOptionsValidator>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<Metrics.IAlertSink, Metrics.LoggerAlertSink>(
            sp => new Metrics.LoggerAlertSink(AlertLogger(sp))));
        services.TryAddSingleton(sp => new Metrics.AlertMonitor(
            sp.GetRequiredService<Metrics.IMetricsReporter>(),
            sp.GetServices<Metrics.IAlertSink>(),
            sp.GetRequiredService<IOptions<Metrics.ApiMonitoringAlertOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            AlertLogger(sp)));
        services.TryAddSingleton<Metrics.IAlertMonitor>(sp => sp.GetRequiredService<Metrics.AlertMonitor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Metrics.AlertMonitorService>(sp => new Metrics.AlertMonitorService(
            sp.GetRequiredService<Metrics.IAlertMonitor>(),
            sp.GetRequiredService<IOptions<Metrics.ApiMonitoringAlertOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            AlertLogger(sp))));
        return services;
    }

    private static ILogger AlertLogger(IServiceProvider services) =>
        (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(Metrics.LoggerAlertSink.Category);
}
