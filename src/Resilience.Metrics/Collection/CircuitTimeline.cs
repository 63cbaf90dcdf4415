namespace Resilience.Metrics;

/// <summary>
/// A backend's circuit: its current state, the time spent in each state since start or reset, how often it opened,
/// and the most recent state changes in a ring. State changes are rare, so a lock keeps them consistent; the hot
/// path only touches <see cref="RecordAttempt"/>, which is lock-free.
/// </summary>
internal sealed class CircuitTimeline
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long[] _ticksInState = new long[3];
    private readonly (CircuitState State, DateTimeOffset At)[] _changes;
    private CircuitState _state = CircuitState.Closed;
    private long _since;
    private long _openCount;
    private long _changeCount;
    private long _consecutiveFailures;

    public CircuitTimeline(TimeProvider time, int historyCapacity)
    {
        _time = time;
        _changes = new (CircuitState, DateTimeOffset)[historyCapacity];
        _since = time.GetTimestamp();
    }

    public CircuitState State => _state;

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

    public void Change(CircuitState state)
    {
        lock (_lock)
        {
            if (state == _state)
            {
                return;
            }

            var now = _time.GetTimestamp();
            _ticksInState[(int)_state] += now - _since;
            _since = now;
            _state = state;
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
            var seconds = new double[3];
            for (var i = 0; i < seconds.Length; i++)
            {
                var ticks = _ticksInState[i] + (i == (int)_state ? now - _since : 0);
                seconds[i] = ticks / (double)_time.TimestampFrequency;
            }

            var kept = (int)Math.Min(_changeCount, _changes.Length);
            var changes = new (CircuitState, DateTimeOffset)[kept];
            for (var i = 0; i < kept; i++)
            {
                changes[i] = _changes[(_changeCount - kept + i) % _changes.Length];
            }

            return new CircuitSnapshot(_state, ConsecutiveFailures, _openCount, seconds, changes);
        }
    }
}

/// <summary>A circuit's figures at one moment; <see cref="SecondsInState"/> is indexed by <see cref="CircuitState"/>.</summary>
internal sealed record CircuitSnapshot(
    CircuitState State,
    long ConsecutiveFailures,
    long OpenCount,
    double[] SecondsInState,
    (CircuitState State, DateTimeOffset At)[] Changes);
