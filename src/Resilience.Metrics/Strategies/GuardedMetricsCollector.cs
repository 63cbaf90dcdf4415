using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Resilience.Metrics;

/// <summary>
/// What the strategies send their events through: a collector that never throws into a request. A fault inside
/// the collector (any <see cref="IMetricsCollector"/>, an application's own included) is caught, logged with its
/// exception type only, and counted as a monitoring error of the backend.
/// </summary>
internal sealed class GuardedMetricsCollector
{
    private readonly IMetricsCollector _inner;

    // Our own collector is called directly (a sealed class: no interface dispatch on the request path).
    private readonly MetricsCollector? _own;
    private readonly ILogger _logger;

    private GuardedMetricsCollector(IMetricsCollector inner, ILogger logger)
    {
        _inner = inner;
        _own = inner as MetricsCollector;
        _logger = logger;
    }

    public static GuardedMetricsCollector Wrap(IMetricsCollector collector, ILogger? logger) =>
        new(collector, logger ?? NullLogger.Instance);

    public TimeProvider TimeProvider => _inner.TimeProvider;

    /// <summary>The backend's rate-limit state in our own collector; null for any other collector.</summary>
    public RateLimitState? RateLimitsOf(BackendKey backend) => _own?.Get(backend).RateLimits;

    // Registration happens when a pipeline is built: a failure there is a configuration error and should surface.
    public BackendKey RegisterBackend(string name, BackendRegistration? registration = null) =>
        registration is null ? _inner.RegisterBackend(name) : _inner.RegisterBackend(name, registration);

    public void RecordRequest(RequestCompleted request) => Record(in request);

    /// <summary>Records a finished request passed by reference (the per-request path: the event is large).</summary>
    public void Record(in RequestCompleted request)
    {
        try
        {
            if (_own is { } own)
            {
                own.Record(in request);
            }
            else
            {
                _inner.RecordRequest(request);
            }
        }
        catch (Exception exception)
        {
            Fault(request.Backend, exception);
        }
    }

    public void RecordRetry(RetryAttempted retry)
    {
        try
        {
            if (_own is { } own)
            {
                own.RecordRetry(retry);
            }
            else
            {
                _inner.RecordRetry(retry);
            }
        }
        catch (Exception exception)
        {
            Fault(retry.Backend, exception);
        }
    }

    public void RecordCircuitStateChange(CircuitStateChanged change)
    {
        try
        {
            if (_own is { } own)
            {
                own.RecordCircuitStateChange(change);
            }
            else
            {
                _inner.RecordCircuitStateChange(change);
            }
        }
        catch (Exception exception)
        {
            Fault(change.Backend, exception);
        }
    }

    public void RecordCircuitAttempt(BackendKey backend, bool failed)
    {
        try
        {
            if (_own is { } own)
            {
                own.RecordCircuitAttempt(backend, failed);
            }
            else
            {
                _inner.RecordCircuitAttempt(backend, failed);
            }
        }
        catch (Exception exception)
        {
            Fault(backend, exception);
        }
    }

    public void RecordQueue(QueueEvent queueEvent)
    {
        try
        {
            if (_own is { } own)
            {
                own.RecordQueue(queueEvent);
            }
            else
            {
                _inner.RecordQueue(queueEvent);
            }
        }
        catch (Exception exception)
        {
            Fault(queueEvent.Backend, exception);
        }
    }

    // Like registration, observing a queue happens when a pipeline is built.
    public AdmissionCounter ObserveQueue(BackendKey backend, IQueueState queue) => _inner.ObserveQueue(backend, queue);

    public void RecordMonitoringError(BackendKey backend)
    {
        try
        {
            _inner.RecordMonitoringError(backend);
        }
        catch (Exception)
        {
            // Nothing is left to report a failure to report with.
        }
    }

    /// <summary>Logs and counts a fault of monitoring; never throws.</summary>
    public void Fault(BackendKey backend, Exception exception)
    {
        try
        {
            Log.MonitoringFault(_logger, backend.Name, exception.GetType().Name);
        }
        catch (Exception)
        {
            // A broken logger must not break the request either.
        }

        RecordMonitoringError(backend);
    }
}
