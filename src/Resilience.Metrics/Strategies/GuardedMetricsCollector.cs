using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Resilience.Metrics;

/// <summary>
/// What the strategies send their events through: a collector that never throws into a request. A fault inside a
/// collector is caught, logged with its exception type only, and counted as a monitoring error of the backend.
/// Events go to the built-in <see cref="MetricsCollector"/> the reports read (called directly: no interface dispatch on
/// the request path) and, beside it, to a collector of the application's own when one is registered, with the key that
/// collector gave the backend.
/// </summary>
internal sealed class GuardedMetricsCollector
{
    private readonly MetricsCollector? _own;
    private readonly IMetricsCollector? _other;
    private readonly ILogger _logger;

    // The other collector's key of each backend, by the built-in collector's index (written when a pipeline is built).
    private readonly Lock _registration = new();
    private BackendKey[] _otherKeys = [];

    private GuardedMetricsCollector(MetricsCollector? own, IMetricsCollector? other, ILogger logger)
    {
        _own = own;
        _other = other;
        _logger = logger;
        TimeProvider = own?.TimeProvider ?? other!.TimeProvider;
    }

    /// <summary>
    /// Guards <paramref name="collector"/>. With <paramref name="reported"/> (the built-in collector reports read, in DI)
    /// and a <paramref name="collector"/> of the application's own, both get every event.
    /// </summary>
    public static GuardedMetricsCollector Wrap(IMetricsCollector collector, ILogger? logger, MetricsCollector? reported = null)
    {
        // The collector the reports read is "own" even when another MetricsCollector is registered as IMetricsCollector.
        var own = reported ?? collector as MetricsCollector;
        var other = ReferenceEquals(collector, own) ? null : collector;
        return new(own, other, logger ?? NullLogger.Instance);
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The backend's rate-limit state in the built-in collector; null without one.</summary>
    public RateLimitState? RateLimitsOf(BackendKey backend) => _own?.Get(backend).RateLimits;

    /// <summary>Registers the backend with every collector. When a pipeline is built: a failure surfaces as a configuration error.</summary>
    public BackendKey RegisterBackend(string name, BackendRegistration? registration = null)
    {
        // A collector of the application's own gets the name: the settings are the built-in collector's business.
        if (_own is null)
        {
            return _other!.RegisterBackend(name);
        }

        var key = _own.RegisterBackend(name, registration);
        if (_other is not null)
        {
            var otherKey = _other.RegisterBackend(name);
            lock (_registration)
            {
                var keys = _otherKeys.Length > key.Id ? (BackendKey[])_otherKeys.Clone() : [.. _otherKeys, .. new BackendKey[key.Id + 1 - _otherKeys.Length]];
                keys[key.Id] = otherKey;
                Volatile.Write(ref _otherKeys, keys);
            }
        }

        return key;
    }

    /// <summary>Records a finished request passed by reference (the per-request path: the event is large).</summary>
    public void Record(in RequestCompleted request) => Send<RequestCompleted, RequestCall>(request.Backend, in request);

    public void RecordRetry(RetryAttempted retry) => Send<RetryAttempted, RetryCall>(retry.Backend, in retry);

    public void RecordCircuitStateChange(CircuitStateChanged change) => Send<CircuitStateChanged, CircuitChangeCall>(change.Backend, in change);

    public void RecordCircuitAttempt(BackendKey backend, bool failed) =>
        Send<(BackendKey Backend, bool Failed), CircuitAttemptCall>(backend, (backend, failed));

    /// <summary>Queue events are the built-in collector's alone (another collector gets each request's queue time anyway).</summary>
    public void RecordQueue(QueueEvent queueEvent)
    {
        try
        {
            _own?.RecordQueue(queueEvent);
        }
        catch (Exception exception)
        {
            Fault(queueEvent.Backend, exception);
        }
    }

    /// <summary>Observes a queue (when a pipeline is built): the built-in collector's admission counter, or one nobody reads.</summary>
    public AdmissionCounter ObserveQueue(BackendKey backend, IQueueState queue) => _own?.ObserveQueue(backend, queue) ?? new AdmissionCounter();

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

        // Nothing is left to report a failure to report with: each collector is tried on its own, the built-in one
        // directly unless the other forwarded the error to it.
        var reached = false;
        if (_other is { } other)
        {
            var watch = _own?.BeginWatch();
            try
            {
                other.RecordMonitoringError(OtherKey(backend));
            }
            catch (Exception)
            {
            }
            finally
            {
                reached = watch is { } previous && MetricsCollector.EndWatch(previous);
            }
        }

        try
        {
            if (!reached)
            {
                _own?.MonitoringError(backend);
            }
        }
        catch (Exception)
        {
        }
    }

    private BackendKey OtherKey(BackendKey backend)
    {
        var keys = Volatile.Read(ref _otherKeys);
        return (uint)backend.Id < (uint)keys.Length && keys[backend.Id].Name is not null ? keys[backend.Id] : backend;
    }

    /// <summary>
    /// The one guard every Record method goes through. The call is a struct type argument with static methods, so each
    /// use is compiled on its own with direct calls: no delegate, no closure, no allocation on the request path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Send<TEvent, TCall>(BackendKey backend, in TEvent value)
        where TCall : struct, ICollectorCall<TEvent>
    {
        // One guard per collector: a fault in one (or in an OpenTelemetry listener the built-in one calls) costs the
        // other nothing. An application's collector goes first and is watched: one that forwards to the built-in
        // collector (a decorator) delivers the event there itself, and the built-in one is then not sent it twice.
        var reached = false;
        if (_other is { } other)
        {
            var watch = _own?.BeginWatch();
            try
            {
                TCall.On(other, OtherKey(backend), in value);
            }
            catch (Exception exception)
            {
                Fault(backend, exception);
            }
            finally
            {
                reached = watch is { } previous && MetricsCollector.EndWatch(previous);
            }
        }

        if (_own is { } own && !reached)
        {
            try
            {
                TCall.On(own, in value);
            }
            catch (Exception exception)
            {
                Fault(backend, exception);
            }
        }
    }

    /// <summary>One collector method, on the built-in collector and on another (with that collector's key).</summary>
    private interface ICollectorCall<TEvent>
    {
        static abstract void On(MetricsCollector own, in TEvent value);

        static abstract void On(IMetricsCollector other, BackendKey key, in TEvent value);
    }

    private readonly struct RequestCall : ICollectorCall<RequestCompleted>
    {
        static void ICollectorCall<RequestCompleted>.On(MetricsCollector own, in RequestCompleted value) => own.Record(in value);

        static void ICollectorCall<RequestCompleted>.On(IMetricsCollector other, BackendKey key, in RequestCompleted value) =>
            other.RecordRequest(value with { Backend = key });
    }

    private readonly struct RetryCall : ICollectorCall<RetryAttempted>
    {
        static void ICollectorCall<RetryAttempted>.On(MetricsCollector own, in RetryAttempted value) => own.Retry(value);

        static void ICollectorCall<RetryAttempted>.On(IMetricsCollector other, BackendKey key, in RetryAttempted value) =>
            other.RecordRetry(value with { Backend = key });
    }

    private readonly struct CircuitChangeCall : ICollectorCall<CircuitStateChanged>
    {
        static void ICollectorCall<CircuitStateChanged>.On(MetricsCollector own, in CircuitStateChanged value) => own.CircuitStateChange(value);

        static void ICollectorCall<CircuitStateChanged>.On(IMetricsCollector other, BackendKey key, in CircuitStateChanged value) =>
            other.RecordCircuitStateChange(value with { Backend = key });
    }

    private readonly struct CircuitAttemptCall : ICollectorCall<(BackendKey Backend, bool Failed)>
    {
        static void ICollectorCall<(BackendKey Backend, bool Failed)>.On(MetricsCollector own, in (BackendKey Backend, bool Failed) value) =>
            own.CircuitAttempt(value.Backend, value.Failed);

        static void ICollectorCall<(BackendKey Backend, bool Failed)>.On(IMetricsCollector other, BackendKey key, in (BackendKey Backend, bool Failed) value) =>
            other.RecordCircuitAttempt(key, value.Failed);
    }
}
