namespace Resilience.Metrics;

/// <summary>
/// A backend's circuit: its current state, the time spent in each state since start or reset, how often it opened,
/// and the most recent state changes in a ring. State changes are rare, so a lock keeps them consistent; the hot
/// path only touches <see cref="RecordAttempt"/>, which is lock-free.
/// </summary>
/// <remarks>
/// Polly moves an open circuit to half-open only when the next request arrives, so an idle backend would report OPEN
/// forever after an outage. Once the break has elapsed the circuit would admit a trial, so it is reported (and timed)
/// as HALF-OPEN from then on; Polly's own half-open event later only confirms it.
/// </remarks>
internal sealed class CircuitTimeline
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long[] _ticksInState = new long[3];
    private readonly (CircuitState State, DateTimeOffset At)[] _changes;
    private CircuitState _state = CircuitState.Closed;
    private long _since;
    private long _trialAt = long.MaxValue;
    private long _openCount;
    private long _changeCount;
    private long _consecutiveFailures;

    public CircuitTimeline(TimeProvider time, int historyCapacity)
    {
        _time = time;
        _changes = new (CircuitState, DateTimeOffset)[historyCapacity];
        _since = time.GetTimestamp();
    }

    /// <summary>The state as callers see it: an open circuit whose break has elapsed is half-open.</summary>
    public CircuitState State => Effective(_state, Volatile.Read(ref _trialAt), _time.GetTimestamp());

    private static CircuitState Effective(CircuitState state, long trialAt, long now) =>
        state == CircuitState.Open && now >= trialAt ? CircuitState.HalfOpen : state;

    // Adds the time since the last change to the states it was spent in (an open circuit's elapsed break is half-open).
    private void AddTime(long[] ticks, long now)
    {
        if (_state == CircuitState.Open && now > _trialAt)
        {
            var split = Math.Max(_since, _trialAt);
            ticks[(int)CircuitState.Open] += split - _since;
            ticks[(int)CircuitState.HalfOpen] += now - split;
        }
        else
        {
            ticks[(int)_state] += now - _since;
        }
    }

    public long ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public void RecordAttempt(bool failed)
    {
        if (failed)
        {
            Interlocked.Increment(ref _consecutiveFailures);
        }
        else if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            // Successes are the common case: write only when there is something to clear.
            Interlocked.Exchange(ref _consecutiveFailures, 0);
        }
    }

    /// <summary>Records a change; <paramref name="breakDuration"/> is how long an opened circuit stays open (null: until closed by hand).</summary>
    public void Change(CircuitState state, TimeSpan? breakDuration = null)
    {
        lock (_lock)
        {
            if (state == _state)
            {
                return;
            }

            var now = _time.GetTimestamp();
            AddTime(_ticksInState, now);
            _since = now;
            _state = state;
            Volatile.Write(ref _trialAt, state == CircuitState.Open && breakDuration is { } pause && pause < TimeSpan.FromDays(3650)
                ? now + (long)(pause.TotalSeconds * _time.TimestampFrequency)
                : long.MaxValue);
            if (state == CircuitState.Open)
            {
                _openCount++;
            }
            else if (state == CircuitState.Closed)
            {
                Interlocked.Exchange(ref _consecutiveFailures, 0);
            }

            _changes[_changeCount++ % _changes.Length] = (state, _time.GetUtcNow());
        }
    }

    /// <summary>Forgets history and times; the current state goes on from now.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Array.Clear(_ticksInState);
            _since = _time.GetTimestamp();
            _openCount = 0;
            _changeCount = 0;
        }
    }

    public CircuitSnapshot Snapshot()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var ticks = (long[])_ticksInState.Clone();
            AddTime(ticks, now);
            var seconds = new double[3];
            for (var i = 0; i < seconds.Length; i++)
            {
                seconds[i] = ticks[i] / (double)_time.TimestampFrequency;
            }

            var kept = (int)Math.Min(_changeCount, _changes.Length);
            var changes = new (CircuitState, DateTimeOffset)[kept];
            for (var i = 0; i < kept; i++)
            {
                changes[i] = _changes[(_changeCount - kept + i) % _changes.Length];
            }

            return new CircuitSnapshot(Effective(_state, _trialAt, now), ConsecutiveFailures, _openCount, seconds, changes);
        }
    }
}
