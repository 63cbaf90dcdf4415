using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// Registers every monitored client's backend with the collector when the host starts, so reports and
/// <c>/monitoring/metrics</c> show each one with zeros before its first request: Prometheus sees the series from the
/// first scrape, and <c>/monitoring/report/{backend}</c> answers instead of 404. The pipeline registers the backend
/// again when it is built, with the same options, which changes nothing.
/// </summary>
internal sealed class MonitoredClientsRegistration(
    IEnumerable<MonitoredClient> clients,
    IOptionsMonitor<ApiMonitoringOptions> options,
    MetricsCollector collector) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var name in clients.Select(c => c.Name).Distinct(StringComparer.Ordinal))
        {
            var monitoring = options.Get(name);

            // A client without metrics records nothing, so it is not shown either.
            if (monitoring.MetricsEnabled)
            {
                collector.RegisterBackend(monitoring.BackendName ?? name, monitoring.ToRegistration());
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
