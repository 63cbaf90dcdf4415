namespace Resilience.Metrics.Simulation;

/// <summary>
/// The provider rate limits a simulated OpenAI, Groq or Anthropic backend announces in its response headers: fixed
/// windows (one minute by default) whose requests and tokens count down with every valid request and start full
/// again when the window ends. Announced only, never enforced (429s come from the <see cref="FaultPlan"/>).
/// Thread-safe.
/// </summary>
public sealed class SimulatedRateLimits
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly SimulatedApi _api;
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private long _requests;
    private long _inputTokens;
    private long _outputTokens;

    internal SimulatedRateLimits(SimulatedApi api, TimeProvider time)
    {
        _api = api;
        _time = time;
        RestoreDefaults();
    }

    /// <summary>Whether the backend sends rate-limit headers: OpenAI, Groq and Anthropic by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>The length of a window. Default 1 minute.</summary>
    public TimeSpan Window { get; set; }

    /// <summary>Requests per window (OpenAI 10,000, Groq 1,000, Anthropic 4,000 by default).</summary>
    public long RequestLimit { get; set; }

    /// <summary>Input (prompt) tokens per window; OpenAI and Groq count input and output tokens together against it.</summary>
    public long InputTokenLimit { get; set; }

    /// <summary>Output tokens per window (Anthropic only).</summary>
    public long OutputTokenLimit { get; set; }

    /// <summary>
    /// Uses up <paramref name="share"/> of the current window's requests and tokens at once, as another client of the
    /// same key would: the headers then show the backend near its limit until the window ends.
    /// </summary>
    public void Burst(double share)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(share);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(share, 1);
        lock (_gate)
        {
            Roll(_time.GetUtcNow());
            _requests = Math.Max(_requests, (long)(RequestLimit * share));
            _inputTokens = Math.Max(_inputTokens, (long)(InputTokenLimit * share));
            _outputTokens = Math.Max(_outputTokens, (long)(OutputTokenLimit * share));
        }
    }

    /// <summary>Counts one request and its tokens, and returns what the headers announce after it.</summary>
    internal Snapshot Take(int inputTokens, int outputTokens)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Roll(now);
            _requests++;
            _inputTokens += inputTokens;
            _outputTokens += outputTokens;
            var tokens = _api == SimulatedApi.Anthropic ? _inputTokens : _inputTokens + _outputTokens;
            return new Snapshot(
                now,
                _windowStart + Window,
                RequestLimit,
                Math.Max(0, RequestLimit - _requests),
                InputTokenLimit,
                Math.Max(0, InputTokenLimit - tokens),
                OutputTokenLimit,
                Math.Max(0, OutputTokenLimit - _outputTokens));
        }
    }

    internal void RestoreDefaults()
    {
        lock (_gate)
        {
            Enabled = _api is SimulatedApi.OpenAI or SimulatedApi.Groq or SimulatedApi.Anthropic;
            Window = TimeSpan.FromMinutes(1);
            (RequestLimit, InputTokenLimit, OutputTokenLimit) = _api switch
            {
                SimulatedApi.OpenAI => (10_000L, 2_000_000L, 0L),
                SimulatedApi.Groq => (1_000L, 200_000L, 0L),
                _ => (4_000L, 400_000L, 80_000L),
            };
            _windowStart = DateTimeOffset.MinValue;
            _requests = _inputTokens = _outputTokens = 0;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        if (now >= _windowStart + Window)
        {
            _windowStart = now;
            _requests = _inputTokens = _outputTokens = 0;
        }
    }

    /// <summary>What one response announces.</summary>
    internal readonly record struct Snapshot(
        DateTimeOffset Now, DateTimeOffset Reset, long RequestLimit, long RequestsRemaining,
        long TokenLimit, long TokensRemaining, long OutputTokenLimit, long OutputTokensRemaining);
}
