namespace Resilience.Metrics.Simulation;

/// <summary>
/// Scripts one simulated backend (latency, faults, response size) and counts what it served. Thread-safe:
/// tests and load generators may change it while requests are in flight.
/// </summary>
/// <remarks>
/// Each request is handled as: count it in <see cref="Requests"/>; wait for <see cref="Latency"/>; check the
/// credentials (when <see cref="RequireAuthentication"/>); read and validate the body; take the next queued
/// fault, or else ask the <see cref="FaultPlan"/>; then answer.
/// </remarks>
public sealed class BackendControl
{
    private readonly Queue<SimulatedFault> _queue = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly SimulationOptions _defaults;
    private volatile LatencyModel _latency = LatencyModel.None;
    private volatile PlanState? _plan;
    private volatile bool _requireAuthentication;
    private int _completionTokens;
    private long _chunkDelayTicks;
    private long _requests;
    private int _inFlight;
    private long _succeeded;
    private long _faults;
    private long _promptTokens;
    private long _completionTokensServed;

    internal BackendControl(SimulatedApi api, SimulationOptions defaults)
    {
        Api = api;
        _defaults = defaults;
        _time = defaults.TimeProvider;
        RateLimits = new SimulatedRateLimits(api, _time);
        RestoreDefaults();
    }

    /// <summary>The API this control belongs to.</summary>
    public SimulatedApi Api { get; }

    /// <summary>The rate limits the backend announces in its response headers (OpenAI, Groq and Anthropic).</summary>
    public SimulatedRateLimits RateLimits { get; }

    /// <summary>The delay applied before every response (faults included). Default <see cref="LatencyModel.None"/>.</summary>
    public LatencyModel Latency
    {
        get => _latency;
        set => _latency = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// How many tokens a generation produces. A smaller limit in the request (<c>max_tokens</c>,
    /// <c>max_new_tokens</c>, <c>maxOutputTokens</c>, <c>num_predict</c>) wins, with finish reason "length".
    /// </summary>
    public int CompletionTokens
    {
        get => Volatile.Read(ref _completionTokens);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _completionTokens, value);
        }
    }

    /// <summary>The pause between two chunks of a streamed response.</summary>
    public TimeSpan StreamChunkDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _chunkDelayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _chunkDelayTicks, value.Ticks);
        }
    }

    /// <summary>
    /// Whether requests without credentials are refused with the API's real authentication error. By default
    /// true for the hosted APIs (OpenAI, Anthropic, Groq, Gemini, S3) and false for the self-hosted ones.
    /// Only the presence of the credential is checked, never its value.
    /// </summary>
    public bool RequireAuthentication
    {
        get => _requireAuthentication;
        set => _requireAuthentication = value;
    }

    /// <summary>
    /// A time-based, probabilistic fault schedule consulted when no scripted fault is queued, or null (the default).
    /// Its clock starts when it is assigned.
    /// </summary>
    public FaultPlan? FaultPlan
    {
        get => _plan?.Plan;
        set => _plan = value is null ? null : new PlanState(value, _time.GetTimestamp());
    }

    /// <summary>How many scripted faults are still queued.</summary>
    public int PendingFaults
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Requests received (every request that reached this API's routes).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests being handled right now (waiting, streaming); a request the client abandons leaves promptly.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Complete, well-formed successful responses sent (a stream counts once its last chunk is sent).</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>
    /// Requests that met a scripted or planned fault (<see cref="SimulatedFault.None"/> excluded). A
    /// <see cref="SimulatedFault.Delay"/>ed request that then completes also counts in <see cref="Succeeded"/>.
    /// </summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Prompt (input) tokens reported in successful responses.</summary>
    public long TotalPromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Completion (output) tokens reported in successful responses.</summary>
    public long TotalCompletionTokens => Interlocked.Read(ref _completionTokensServed);

    /// <summary>Queues faults; each is consumed, in order, by one request. Queued faults come before the <see cref="FaultPlan"/>.</summary>
    /// <param name="faults">The faults, in the order requests will meet them.</param>
    public void Enqueue(params SimulatedFault[] faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        lock (_gate)
        {
            foreach (var fault in faults)
            {
                ArgumentNullException.ThrowIfNull(fault);
                _queue.Enqueue(fault);
            }
        }
    }

    /// <summary>
    /// Clears the queue and the fault plan, zeroes the counters and restores the defaults
    /// (no latency, default completion tokens, chunk delay and authentication rule).
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            _queue.Clear();
        }

        _plan = null;
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _succeeded, 0);
        Interlocked.Exchange(ref _faults, 0);
        Interlocked.Exchange(ref _promptTokens, 0);
        Interlocked.Exchange(ref _completionTokensServed, 0);
        RestoreDefaults();
    }

    internal static bool RequiresAuthenticationByDefault(SimulatedApi api) =>
        api is SimulatedApi.OpenAI or SimulatedApi.Anthropic or SimulatedApi.Groq or SimulatedApi.Gemini or SimulatedApi.S3;

    internal TimeProvider TimeProvider => _time;

    internal void CountRequest()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
    }

    internal void CountRequestEnd() => Interlocked.Decrement(ref _inFlight);

    internal void CountFault() => Interlocked.Increment(ref _faults);

    internal void CountSuccess(int promptTokens, int completionTokens)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _completionTokensServed, completionTokens);
        Interlocked.Increment(ref _succeeded);
    }

    /// <summary>The next queued fault, else the plan's, else null.</summary>
    internal SimulatedFault? NextFault()
    {
        lock (_gate)
        {
            if (_queue.TryDequeue(out var fault))
            {
                return fault;
            }
        }

        return _plan?.Next(_time);
    }

    private void RestoreDefaults()
    {
        _latency = LatencyModel.None;
        CompletionTokens = _defaults.CompletionTokens;
        StreamChunkDelay = _defaults.StreamChunkDelay;
        _requireAuthentication = RequiresAuthenticationByDefault(Api);
        RateLimits?.RestoreDefaults();
    }

    private sealed class PlanState(FaultPlan plan, long startTimestamp)
    {
        private readonly Random _random = new(plan.Seed);
        private readonly Lock _gate = new();

        public FaultPlan Plan => plan;

        public SimulatedFault? Next(TimeProvider time)
        {
            var elapsed = time.GetElapsedTime(startTimestamp);
            lock (_gate)
            {
                return plan.Next(elapsed, _random);
            }
        }
    }
}
