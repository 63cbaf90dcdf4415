namespace Resilience.Metrics;

/// <summary>
/// Admits at most <c>maxConcurrency</c> holders; the rest wait in three FIFO lines by priority, up to
/// <c>queueSize</c> in all. The uncontended path is one compare-and-swap plus the admission count, and allocates
/// nothing; waiting takes a lock and one waiter object. Its own counts are what the collector reports for the queue
/// (<see cref="IQueueState"/>).
/// </summary>
internal sealed class PriorityGate(int maxConcurrency, int queueSize) : IQueueState
{
    private readonly Lock _lock = new();
    private int _maxConcurrency = maxConcurrency;   // changed by Resize (options reloaded)
    private int _queueSize = queueSize;
    private readonly LinkedList<Waiter>[] _lines = [new(), new(), new()];
    private int _active;
    private int _waiting;       // waiters, plus arrivals between announcing themselves and taking a slot
    private int _queued;        // waiters only; changed under the lock

    public int CurrentQueueSize => Volatile.Read(ref _queued);

    public int ActiveRequests => Math.Max(0, Volatile.Read(ref _active));

    /// <summary>Counts every slot taken; the collector's, once the queue is observed.</summary>
    public AdmissionCounter Admissions { get; set; } = new();

    /// <summary>Takes a slot at once if one is free and nobody waits.</summary>
    public bool TryEnter() => Volatile.Read(ref _waiting) == 0 && TryTakeSlot();

    /// <summary>
    /// Takes a slot, or queues for one by priority, or (when <c>queueSize</c> already wait) neither.
    /// <paramref name="queueLength"/> is the queue seen on arrival; <paramref name="admission"/>, when waiting,
    /// completes once the slot is taken, or is cancelled when the caller gives up (leaving the queue).
    /// </summary>
    public GateEntry Enter(RequestPriority priority, CancellationToken cancellationToken, out int queueLength, out Task? admission)
    {
        admission = null;
        // The line is found before any count changes: nothing can throw between announcing and leaving.
        var line = _lines[(int)priority];
        Waiter waiter;
        lock (_lock)
        {
            queueLength = _queued;

            // Announce first, then look for a slot: a holder that releases after our announcement sees us waiting
            // and hands its slot over; one that released before it left the slot for us to take here.
            Interlocked.Increment(ref _waiting);
            if (queueLength == 0 && TryTakeSlot())
            {
                Interlocked.Decrement(ref _waiting);
                return GateEntry.Admitted;
            }

            if (queueLength >= Volatile.Read(ref _queueSize))
            {
                Interlocked.Decrement(ref _waiting);
                return GateEntry.Rejected;
            }

            waiter = new Waiter(this, priority);
            waiter.Node = line.AddLast(waiter);
            Volatile.Write(ref _queued, _queued + 1);
        }

        admission = waiter.WaitAsync(cancellationToken);
        return GateEntry.Waiting;
    }

    /// <summary>
    /// Applies reloaded limits to this same gate, so nothing it counts is lost: with fewer slots, holders finish as usual
    /// and newcomers wait until the active count is below the new limit; with more, waiters are admitted at once.
    /// </summary>
    public void Resize(int newMaxConcurrency, int newQueueSize)
    {
        Volatile.Write(ref _queueSize, newQueueSize);
        Volatile.Write(ref _maxConcurrency, newMaxConcurrency);
        if (Volatile.Read(ref _waiting) > 0)
        {
            Dispatch();
        }
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _active);
        if (Volatile.Read(ref _waiting) > 0)
        {
            Dispatch();
        }
    }

    private bool TryTakeSlot()
    {
        var active = Volatile.Read(ref _active);
        while (active < Volatile.Read(ref _maxConcurrency))
        {
            var seen = Interlocked.CompareExchange(ref _active, active + 1, active);
            if (seen == active)
            {
                // Counted here rather than by an event to the collector.
                Admissions.Increment();
                return true;
            }

            active = seen;
        }

        return false;
    }

    private void Dispatch()
    {
        while (true)
        {
            Waiter? next = null;
            lock (_lock)
            {
                foreach (var line in _lines)
                {
                    if (line.First is { } first)
                    {
                        if (!TryTakeSlot())
                        {
                            return;
                        }

                        line.RemoveFirst();
                        Volatile.Write(ref _queued, _queued - 1);
                        first.Value.Node = null;
                        Interlocked.Decrement(ref _waiting);
                        next = first.Value;
                        break;
                    }
                }
            }

            if (next is null)
            {
                return;
            }

            next.Admit();
        }
    }

    /// <summary>Leaves the queue on cancellation; false when the waiter was admitted first.</summary>
    private bool TryLeave(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is not { } node)
            {
                return false;
            }

            _lines[(int)waiter.Priority].Remove(node);
            Volatile.Write(ref _queued, _queued - 1);
            waiter.Node = null;
            Interlocked.Decrement(ref _waiting);
            return true;
        }
    }

    private sealed class Waiter(PriorityGate gate, RequestPriority priority)
    {
        private readonly TaskCompletionSource<bool> _admitted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PriorityGate Gate { get; } = gate;

        public RequestPriority Priority { get; } = priority;

        public LinkedListNode<Waiter>? Node { get; set; }

        public void Admit() => _admitted.TrySetResult(true);

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled)
            {
                await _admitted.Task.ConfigureAwait(false);
                return;
            }

            using (cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var self = (Waiter)state!;
                if (self.Gate.TryLeave(self))
                {
                    self._admitted.TrySetCanceled(token);
                }
            }, this))
            {
                await _admitted.Task.ConfigureAwait(false);
            }
        }
    }
}
