using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Resilience.Metrics;

/// <summary>
/// What the strategies send their events through: a collector that never throws into a request. A fault inside
/// the collector (any <see cref="IMetricsCollector"/>, an application's own included) is caught, logged with its
/// exception type only, and counted as a monitoring error of the backend.
/// </summary>
internal sealed class GuardedMetricsCollector : IMetricsCollector
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
        collector as GuardedMetricsCollector ?? new GuardedMetricsCollector(collector, logger ?? NullLogger.Instance);

    public TimeProvider TimeProvider => _inner.TimeProvider;

    /// <summary>The backend's rate-limit state in our own collector; null for any other collector.</summary>
    public RateLimitState? RateLimitsOf(BackendKey backend) => _own?.Get(backend).RateLimits;

    // Registration happens when a pipeline is built: a failure there is a configuration error and should surface.
    public BackendKey RegisterBackend(string name, BackendRegistration? registration = null) => _inner.RegisterBackend(name, registration);

    public void RecordRequest(RequestCompleted request) => Record(in request);

    /// <summary>Records a finished request passed by reference (the per-request path: the event is large).</summary>
    public void Record(in RequestCompleted request) => Send<RequestCompleted, RequestCall>(request.Backend, in request);

    public void RecordRetry(RetryAttempted retry) => Send<RetryAttempted, RetryCall>(retry.Backend, in retry);

    public void RecordCircuitStateChange(CircuitStateChanged change) =>
        Send<CircuitStateChanged, CircuitChangeCall>(change.Backend, in change);

    public void RecordCircuitAttempt(BackendKey backend, bool failed) => Send<bool, CircuitAttemptCall>(backend, in failed);

    public void RecordQueue(QueueEvent queueEvent) => Send<QueueEvent, QueueCall>(queueEvent.Backend, in queueEvent);

    // Like registration, observing a queue happens when a pipeline is built.
    public AdmissionCounter ObserveQueue(BackendKey backend, IQueueState queue) => _inner.ObserveQueue(backend, queue);

    public void RecordTokens(TokensReported tokens) => Send<TokensReported, TokensCall>(tokens.Backend, in tokens);

    public void RecordFirstByte(BackendKey backend, TimeSpan elapsed) => Send<TimeSpan, FirstByteCall>(backend, in elapsed);

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

    /// <summary>
    /// The one guard every Record method goes through: our own collector called directly, any other through the
    /// interface, a fault caught and counted. The call is a struct type argument with static methods, so each use is
    /// compiled on its own with direct calls: no delegate, no closure, no allocation on the request path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Send<TEvent, TCall>(BackendKey backend, in TEvent value)
        where TCall : struct, ICollectorCall<TEvent>
    {
        try
        {
            if (_own is { } own)
            {
                TCall.On(own, backend, in value);
            }
            else
            {
                TCall.On(_inner, backend, in value);
            }
        }
        catch (Exception exception)
        {
            Fault(backend, exception);
        }
    }

    /// <summary>One collector method, on our own collector and on any other.</summary>
    private interface ICollectorCall<TEvent>
    {
        static abstract void On(MetricsCollector own, BackendKey backend, in TEvent value);

        static abstract void On(IMetricsCollector other, BackendKey backend, in TEvent value);
    }

    private readonly struct RequestCall : ICollectorCall<RequestCompleted>
    {
        static void ICollectorCall<RequestCompleted>.On(MetricsCollector own, BackendKey backend, in RequestCompleted value) => own.Record(in value);

        static void ICollectorCall<RequestCompleted>.On(IMetricsCollector other, BackendKey backend, in RequestCompleted value) => other.RecordRequest(value);
    }

    private readonly struct RetryCall : ICollectorCall<RetryAttempted>
    {
        static void ICollectorCall<RetryAttempted>.On(MetricsCollector own, BackendKey backend, in RetryAttempted value) => own.RecordRetry(value);

        static void ICollectorCall<RetryAttempted>.On(IMetricsCollector other, BackendKey backend, in RetryAttempted value) => other.RecordRetry(value);
    }

    private readonly struct CircuitChangeCall : ICollectorCall<CircuitStateChanged>
    {
        static void ICollectorCall<CircuitStateChanged>.On(MetricsCollector own, BackendKey backend, in CircuitStateChanged value) => own.RecordCircuitStateChange(value);

        static void ICollectorCall<CircuitStateChanged>.On(IMetricsCollector other, BackendKey backend, in CircuitStateChanged value) => other.RecordCircuitStateChange(value);
    }

    private readonly struct CircuitAttemptCall : ICollectorCall<bool>
    {
        static void ICollectorCall<bool>.On(MetricsCollector own, BackendKey backend, in bool value) => own.RecordCircuitAttempt(backend, value);

        static void ICollectorCall<bool>.On(IMetricsCollector other, BackendKey backend, in bool value) => other.RecordCircuitAttempt(backend, value);
    }

    private readonly struct QueueCall : ICollectorCall<QueueEvent>
    {
        static void ICollectorCall<QueueEvent>.On(MetricsCollector own, BackendKey backend, in QueueEvent value) => own.RecordQueue(value);

        static void ICollectorCall<QueueEvent>.On(IMetricsCollector other, BackendKey backend, in QueueEvent value) => other.RecordQueue(value);
    }

    private readonly struct TokensCall : ICollectorCall<TokensReported>
    {
        static void ICollectorCall<TokensReported>.On(MetricsCollector own, BackendKey backend, in TokensReported value) => own.RecordTokens(value);

        static void ICollectorCall<TokensReported>.On(IMetricsCollector other, BackendKey backend, in TokensReported value) => other.RecordTokens(value);
    }

    private readonly struct FirstByteCall : ICollectorCall<TimeSpan>
    {
        static void ICollectorCall<TimeSpan>.On(MetricsCollector own, BackendKey backend, in TimeSpan value) => own.RecordFirstByte(backend, value);

        static void ICollectorCall<TimeSpan>.On(IMetricsCollector other, BackendKey backend, in TimeSpan value) => other.RecordFirstByte(backend, value);
    }
}
