using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Resilience.Metrics;

/// <summary>Runs <see cref="IAlertMonitor.CheckNowAsync"/> every <see cref="ApiMonitoringAlertOptions.CheckInterval"/>, timed by the DI <see cref="TimeProvider"/>.</summary>
/// <remarks>
/// The first check runs one interval after start (before that there is nothing to judge). The timer is made in
/// <see cref="StartAsync"/>, not in <see cref="ExecuteAsync"/> (which .NET 10 runs on a thread-pool thread), so the
/// interval counts from start-up and a fake clock advanced right after start is seen. A check that fails is logged
/// and the next one runs on time; ticks missed while a check ran are not made up.
/// </remarks>
internal sealed class AlertMonitorService : BackgroundService
{
    private readonly IAlertMonitor _monitor;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private PeriodicTimer? _timer;

    public AlertMonitorService(IAlertMonitor monitor, ApiMonitoringAlertOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ApiMonitoringAlertOptionsValidator.ThrowIfInvalid(options);
        _monitor = monitor;
        _interval = options.CheckInterval;
        _time = timeProvider;
        _logger = logger;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer ??= new PeriodicTimer(_interval, _time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("The alert monitor service was not started.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await _monitor.CheckNowAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // One failed check must not end alerting: log it and check again next interval.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    AlertLog.AlertCheckFailed(_logger, exception.GetType().Name, _interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
