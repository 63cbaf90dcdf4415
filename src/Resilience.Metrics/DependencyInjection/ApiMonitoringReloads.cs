using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// What a monitored client's pipeline keeps across options reloads: the last valid options (a bad reload is logged
/// and ignored) and the queue (resized in place, so its holders, waiters and counts carry over). One per service
/// provider.
/// </summary>
internal sealed class ApiMonitoringReloads(BackendClaims claims)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ClientState> _clients = new(StringComparer.Ordinal);

    /// <summary>
    /// The options to build <paramref name="client"/>'s pipeline with: <paramref name="options"/> when valid, else the
    /// last valid ones (the rejection is logged). Throws when the client never had valid options (start-up).
    /// </summary>
    public ApiMonitoringOptions Accept(string client, ApiMonitoringOptions options, ILoggerFactory? loggerFactory, out bool rebuild)
    {
        rebuild = false;
        var problems = new ApiMonitoringOptionsValidator(claims).Problems(client, options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Resilience.Metrics");
        lock (_lock)
        {
            _clients.TryGetValue(client, out var state);
            if (problems.Count == 0)
            {
                // The same instance again is a second pipeline of the same client (not a reload): nothing changed.
                if (state?.Options is not null && !ReferenceEquals(state.Options, options))
                {
                    rebuild = true;
                    Log.Reloaded(logger, client, options.BackendName ?? client);
                }

                state ??= _clients[client] = new ClientState();
                state.Options = options;
                return options;
            }

            if (state?.Options is { } lastGood)
            {
                rebuild = true;
                Log.ReloadRejected(logger, client, string.Join(" ", problems));
                return lastGood;
            }
        }

        throw new OptionsValidationException(client, typeof(ApiMonitoringOptions), problems);
    }

    /// <summary>The client's queue for <paramref name="backend"/>: the one it had, with the new options, or a new one.</summary>
    public ApiQueue Queue(string client, BackendKey backend, GuardedMetricsCollector collector, ApiQueueStrategyOptions options)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(client, out var state))
            {
                state = _clients[client] = new ClientState();
            }

            if (state.Queue is { } queue && queue.Backend == backend)
            {
                queue.Update(options);
                return queue;
            }

            return state.Queue = new ApiQueue(backend, collector, options);
        }
    }

    /// <summary>
    /// After a rebuild: the new circuit breaker starts closed, so a circuit the old one left open or half-open is
    /// recorded as closed (the timeline would otherwise report the old breaker's state until the next change).
    /// </summary>
    public static void RecordRebuiltBreaker(MetricsCollector metrics, ApiMonitoringOptions options)
    {
        if (!options.MetricsEnabled || options.BackendName is not { } name)
        {
            return;
        }

        var backends = metrics.All;
        for (var i = 0; i < backends.Count; i++)
        {
            if (backends[i].Name == TextLimits.Cap(name) && backends[i].Circuit.State != CircuitState.Closed)
            {
                metrics.RecordCircuitStateChange(new CircuitStateChanged(new BackendKey(i, backends[i].Name), CircuitState.Closed));
            }
        }
    }

    private sealed class ClientState
    {
        public ApiMonitoringOptions? Options { get; set; }

        public ApiQueue? Queue { get; set; }
    }
}
