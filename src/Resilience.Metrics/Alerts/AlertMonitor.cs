using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Resilience.Metrics;

/// <summary>
/// Checks every backend's error rate and P95 latency over the recent window, its queue size and its circuit against the thresholds and keeps, per backend and
/// rule, whether an alert is firing, so each alert is sent once when it fires and once when it resolves.
/// </summary>
/// <remarks>
/// Reads the reporter's figures (the collector is the one source of truth; nothing is counted twice). A sink that
/// fails is logged with its exception type only (its message could carry a webhook's secret) and counted in
/// <see cref="SinkFailures"/>; the alert still counts as sent, so a broken sink never makes the others repeat it.
/// </remarks>
internal sealed class AlertMonitor : IAlertMonitor, IDisposable
{
    /// <summary>The report key of the 95th percentile.</summary>
    private const string P95Key = "95";

    private const double SecondsPerHour = 3600;

    private readonly IMetricsReporter _reporter;
    private readonly IAlertSink[] _sinks;
    private readonly ApiMonitoringAlertOptions _options;
    private readonly double _p95ThresholdMs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _checking = new(1, 1);

    // Touched only while _checking is held.
    private readonly Dictionary<(string Backend, AlertRule Rule), Alert> _firing = [];

    private Alert[] _active = [];
    private long _lastCheckUtcTicks = -1;
    private long _sinkFailures;

    public AlertMonitor(IMetricsReporter reporter, IEnumerable<IAlertSink> sinks, ApiMonitoringAlertOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ApiMonitoringAlertOptionsValidator.ThrowIfInvalid(options);
        _reporter = reporter;
        _sinks = [.. sinks];
        _options = options;
        _p95ThresholdMs = options.P95Latency.TotalMilliseconds;
        _time = timeProvider;
        _logger = logger;
    }

    public IReadOnlyList<Alert> ActiveAlerts => Volatile.Read(ref _active);

    public DateTimeOffset? LastCheck
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastCheckUtcTicks);
            return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    public async Task<IReadOnlyList<Alert>> CheckNowAsync(CancellationToken cancellationToken = default)
    {
        await _checking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();

            // Read every figure before changing any state: a read that throws leaves the state as it was, so the
            // next check sees (and sends) the same changes instead of losing them.
            var readings = new List<(string Backend, AlertRule Rule, double Value, double Threshold)>();
            foreach (var backend in _reporter.Backends)
            {
                // Over the recent window, not since start: after hours of healthy traffic an outage must still show.
                var recent = _reporter.GetWindowMetrics(backend, _options.Window);
                readings.Add((backend, AlertRule.ErrorRate, recent.ErrorRate, _options.ErrorRate));

                // A backend configured without the 95th percentile has no P95 to compare (nor a Prometheus series).
                if (recent.Percentiles.TryGetValue(P95Key, out var p95))
                {
                    readings.Add((backend, AlertRule.P95Latency, p95, _p95ThresholdMs));
                }

                // Only a priced backend has a spend rate: no price table, no figure to compare.
                if (_options.SpendPerHourBudget is { } budget && recent.CostUsd is { } cost)
                {
                    var perHour = recent.WindowSeconds > 0 ? cost / recent.WindowSeconds * SecondsPerHour : 0;
                    readings.Add((backend, AlertRule.SpendRate, perHour, budget));
                }

                readings.Add((backend, AlertRule.QueueSize, _reporter.GetQueueMetrics(backend).CurrentQueueSize, _options.QueueSize));
                if (_options.CircuitOpen)
                {
                    var open = _reporter.GetCircuitBreakerMetrics(backend).CurrentState == CircuitState.Open ? 1 : 0;
                    readings.Add((backend, AlertRule.CircuitOpen, open, 0));
                }

                // No headroom known (no headers, or every window reset since) is a full one, so the alert resolves.
                readings.Add((backend, AlertRule.RateLimitHeadroom, _reporter.GetRateLimits(backend)?.LowestHeadroom?.Headroom ?? 1, _options.RateLimitHeadroom));
            }

            var changes = new List<Alert>();
            foreach (var (backend, rule, value, threshold) in readings)
            {
                Evaluate(backend, rule, value, threshold, now, changes);
            }

            if (changes.Count > 0)
            {
                Volatile.Write(ref _active, [.. _firing.Values]);
                foreach (var alert in changes)
                {
                    await SendAsync(alert, cancellationToken).ConfigureAwait(false);
                }
            }

            Interlocked.Exchange(ref _lastCheckUtcTicks, now.UtcTicks);
            return changes;
        }
        finally
        {
            _checking.Release();
        }
    }

    public void Dispose() => _checking.Dispose();

    private void Evaluate(string backend, AlertRule rule, double value, double threshold, DateTimeOffset now, List<Alert> changes)
    {
        var key = (backend, rule);

        // Strictly above, as the guide's check and the Prometheus rules (headroom: strictly below); NaN never fires.
        if (rule == AlertRule.RateLimitHeadroom ? value < threshold : value > threshold)
        {
            if (!_firing.ContainsKey(key))
            {
                var alert = Create(backend, rule, AlertState.Firing, value, threshold, now);
                _firing.Add(key, alert);
                changes.Add(alert);
            }
        }
        else if (_firing.Remove(key))
        {
            changes.Add(Create(backend, rule, AlertState.Resolved, value, threshold, now));
        }
    }

    private async ValueTask SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                await sink.SendAsync(alert, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A failing sink must stop neither the other sinks nor later checks.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _sinkFailures);
                AlertLog.AlertSinkFailed(_logger, sink.GetType().Name, exception.GetType().Name, alert.RuleName, alert.State, alert.Backend);
            }
        }
    }

    private static Alert Create(string backend, AlertRule rule, AlertState state, double value, double threshold, DateTimeOffset now) => new()
    {
        Backend = backend,
        Rule = rule,
        State = state,
        Value = value,
        Threshold = threshold,
        Timestamp = now,
        Message = Describe(rule, state, value, threshold),
    };

    /// <summary>The guide's lines when firing (<c>High error rate: 7.50%</c>); the value and threshold when resolved.</summary>
    internal static string Describe(AlertRule rule, AlertState state, double value, double threshold)
    {
        var firing = state == AlertState.Firing;
        return rule switch
        {
            AlertRule.ErrorRate => firing
                ? Invariant($"High error rate: {value * 100:F2}%")
                : Invariant($"Error rate back to normal: {value * 100:F2}% (threshold {threshold * 100:F2}%)"),
            AlertRule.P95Latency => firing
                ? Invariant($"High P95 latency: {value:F2}ms")
                : Invariant($"P95 latency back to normal: {value:F2}ms (threshold {threshold:F2}ms)"),
            AlertRule.QueueSize => firing
                ? Invariant($"Large queue size: {value}")
                : Invariant($"Queue size back to normal: {value} (threshold {threshold})"),
            AlertRule.RateLimitHeadroom => firing
                ? Invariant($"Low rate-limit headroom: {value * 100:F2}% left")
                : Invariant($"Rate-limit headroom back to normal: {value * 100:F2}% left (threshold {threshold * 100:F2}%)"),
            AlertRule.CircuitOpen => firing
                ? "Circuit breaker open"
                : "Circuit breaker no longer open (half-open or closed)",
            AlertRule.SpendRate => firing
                ? Invariant($"High spend rate: {value:F2} USD/h")
                : Invariant($"Spend rate back to normal: {value:F2} USD/h (budget {threshold:F2} USD/h)"),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown alert rule."),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
