namespace Resilience.Metrics;

/// <summary>
/// One backend's state in the collector: what was recorded (swapped on reset) plus the live state that a reset
/// does not touch: the observed queues and the circuit's current state.
/// </summary>
internal sealed class BackendMetrics : IDisposable
{
    private readonly TimeProvider _time;
    private RecordedMetrics _recorded;
    private ITimer? _resetTimer;

    public BackendMetrics(string name, BackendRegistration registration, TimeProvider time)
    {
        Name = name;
        _time = time;
        Registration = registration;
        Prices = PriceTable.From(registration.Pricing);
        RegisteredAt = time.GetTimestamp();
        Circuit = new CircuitTimeline(time, registration.MetricsWindowSize);
        _recorded = new RecordedMetrics(RegisteredAt, registration);
        ScheduleReset();
    }

    public string Name { get; }

    public BackendRegistration Registration { get; private set; }

    /// <summary>The registration's price table, or null when it has none; matched at report time, never per request.</summary>
    public PriceTable? Prices { get; private set; }

    public long RegisteredAt { get; }

    public RecordedMetrics Recorded => Volatile.Read(ref _recorded);

    public QueueStates Queues { get; } = new();

    /// <summary>Requests the backend's queues admitted since it was registered; a reset remembers where it stood.</summary>
    public AdmissionCounter Admissions { get; } = new();

    public CircuitTimeline Circuit { get; }

    /// <summary>The provider's rate limits from the latest response headers: live state, never reset.</summary>
    public RateLimitState RateLimits { get; } = new();

    /// <summary>The model names OpenTelemetry tags carry for this backend: capped like the reports, never reset.</summary>
    public TagNameLimiter TelemetryModels { get; } = new(RecordedMetrics.MaxModels);

    public void Update(BackendRegistration registration)
    {
        if (registration == Registration)
        {
            return;
        }

        // Never a silent reset: what sizes the record (window size, per-model histograms) applies from the next reset.
        var reschedule = registration.MetricsResetInterval != Registration.MetricsResetInterval;
        Registration = registration;
        Prices = PriceTable.From(registration.Pricing);

        if (reschedule)
        {
            ScheduleReset();
        }
    }

    public void Reset()
    {
        Volatile.Write(ref _recorded, new RecordedMetrics(_time.GetTimestamp(), Registration, Admissions.Count));
        Circuit.Reset();
    }

    private void ScheduleReset()
    {
        _resetTimer?.Dispose();
        _resetTimer = Registration.MetricsResetInterval is { } interval
            ? _time.CreateTimer(static state => ((BackendMetrics)state!).Reset(), this, interval, interval)
            : null;
    }

    public void Dispose() => _resetTimer?.Dispose();
}
