namespace Resilience.Metrics;

/// <summary>
/// The central collector. Events go to a backend's state by the index in their <see cref="BackendKey"/>: no name
/// lookup, no lock and no allocation per event (traces aside, which the sender allocates). A timer samples each
/// backend's totals once a second for throughput windows, and another closes every backend's time slice every 5 s
/// (the sliding windows).
/// </summary>
public sealed partial class MetricsCollector : IMetricsCollector, IDisposable
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _registrationLock = new();
    private readonly ITimer _sampler;
    private readonly ITimer _slicer;
    private IMetricsObserver? _observer;
    private volatile bool _disposed;
    private BackendMetrics[] _backends = [];

    /// <summary>
    /// Creates a collector that measures time with <paramref name="timeProvider"/> (the system clock by default).
    /// <c>services.AddApiMonitoring()</c> also publishes its events through OpenTelemetry; without DI,
    /// <see cref="ApiMonitoringTelemetry.Publish"/> does.
    /// </summary>
    public MetricsCollector(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _sampler = TimeProvider.CreateTimer(static state => ((MetricsCollector)state!).SampleThroughput(), this, SampleInterval, SampleInterval);
        _slicer = TimeProvider.CreateTimer(static state => ((MetricsCollector)state!).RotateWindows(), this, SliceRing.SliceLength, SliceRing.SliceLength);
    }

    /// <inheritdoc />
    public TimeProvider TimeProvider { get; }

    /// <summary>The registered backends' names.</summary>
    public IReadOnlyCollection<string> Backends => Array.ConvertAll(Volatile.Read(ref _backends), static b => b.Name);

    internal IReadOnlyList<BackendMetrics> All => Volatile.Read(ref _backends);

    /// <summary>Whether <see cref="Dispose"/> ran.</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>Detaches the observer, if any (to be disposed by the caller).</summary>
    internal IMetricsObserver? Detach() => Interlocked.Exchange(ref _observer, null);

    /// <summary>Whether an observer is attached.</summary>
    internal bool IsObserved => Volatile.Read(ref _observer) is not null;

    /// <summary>Attaches the one observer that sees every counted event; false when one is attached already.</summary>
    internal bool TryObserve(IMetricsObserver observer) => Interlocked.CompareExchange(ref _observer, observer, null) is null;

    /// <inheritdoc />
    public BackendKey RegisterBackend(string name) => RegisterBackend(name, null);

    // Set around an event sent to another collector, to learn whether that one forwards it here (a decorator): the
    // library's own calls use the internal methods, so only an event through the public interface marks it.
    [ThreadStatic]
    private static MetricsCollector? t_watched;

    [ThreadStatic]
    private static bool t_reached;

    /// <summary>Starts watching whether an event reaches this collector through its public interface on this thread.</summary>
    /// <returns>The watch this one interrupts, to hand back to <see cref="EndWatch"/>.</returns>
    internal (MetricsCollector? Watched, bool Reached) BeginWatch()
    {
        var previous = (t_watched, t_reached);
        t_watched = this;
        t_reached = false;
        return previous;
    }

    /// <summary>Ends a watch: whether the event reached this collector.</summary>
    internal static bool EndWatch((MetricsCollector? Watched, bool Reached) previous)
    {
        var reached = t_reached;
        (t_watched, t_reached) = previous;
        return reached;
    }

    private void MarkReached()
    {
        if (ReferenceEquals(t_watched, this))
        {
            t_reached = true;
        }
    }

    /// <summary>
    /// Registers a backend (or returns the existing one of that name). A later registration of the same name updates its
    /// settings; one without settings (<paramref name="registration"/> null) leaves them as they are.
    /// </summary>
    internal BackendKey RegisterBackend(string name, BackendRegistration? registration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        name = TextLimits.Cap(name);

        lock (_registrationLock)
        {
            var backends = _backends;
            for (var i = 0; i < backends.Length; i++)
            {
                if (backends[i].Name == name)
                {
                    // Without settings (the Polly bridge, a foreign key) the backend keeps the ones it has.
                    if (registration is not null)
                    {
                        backends[i].Update(registration);
                    }

                    return new BackendKey(i, backends[i].Name);
                }
            }

            registration ??= new BackendRegistration();

            // Copy on write: readers index the array without a lock.
            var grown = new BackendMetrics[backends.Length + 1];
            backends.CopyTo(grown, 0);
            grown[^1] = new BackendMetrics(name, registration, TimeProvider);
            Volatile.Write(ref _backends, grown);
            return new BackendKey(backends.Length, name);
        }
    }

    internal BackendMetrics? Find(string name)
    {
        foreach (var backend in Volatile.Read(ref _backends))
        {
            if (backend.Name == name)
            {
                return backend;
            }
        }

        return null;
    }

    internal BackendMetrics Get(BackendKey key)
    {
        var backends = Volatile.Read(ref _backends);
        if ((uint)key.Id < (uint)backends.Length && ReferenceEquals(backends[key.Id].Name, key.Name))
        {
            return backends[key.Id];
        }

        // A key from another collector (or a default one): fall back to the name, registering it only if new. An existing
        // backend keeps its settings (registering it again would replace them with the defaults).
        var name = TextLimits.Cap(key.Name ?? "unknown");
        return Find(name) ?? Volatile.Read(ref _backends)[RegisterBackend(name).Id];
    }

    /// <summary>Resets what was recorded for one backend, or for all; live queue and circuit state stay.</summary>
    /// <returns>False when <paramref name="backend"/> names no registered backend.</returns>
    public bool Reset(string? backend = null)
    {
        if (backend is null)
        {
            foreach (var each in Volatile.Read(ref _backends))
            {
                each.Reset();
            }

            return true;
        }

        var found = Find(backend);
        found?.Reset();
        return found is not null;
    }

    /// <summary>Stops the collector's timers.</summary>
    public void Dispose()
    {
        _sampler.Dispose();
        _slicer.Dispose();
        _disposed = true;
        Detach()?.Dispose();
        foreach (var backend in Volatile.Read(ref _backends))
        {
            backend.Dispose();
        }
    }
}
