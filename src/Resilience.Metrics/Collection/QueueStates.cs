namespace Resilience.Metrics;

/// <summary>
/// The queues observed for one backend, summed when read. Held weakly: a pipeline that is built again (options
/// reloaded) leaves its old queue to the garbage collector instead of to this list. The admissions of a queue that is
/// gone stay counted, as of the last read.
/// </summary>
internal sealed class QueueStates
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _queues = [];
    private long _retiredAdmissions;

    public void Add(IQueueState queue)
    {
        lock (_lock)
        {
            foreach (var entry in _queues)
            {
                if (entry.Queue.TryGetTarget(out var existing) && ReferenceEquals(existing, queue))
                {
                    return;
                }
            }

            _queues.Add(new Entry(new WeakReference<IQueueState>(queue)));
        }
    }

    /// <summary>Requests waiting and in flight now, and admitted since the queues were built, over every queue.</summary>
    /// <remarks>Reads are rare (reports, metric collections): a lock keeps the bookkeeping of gone queues simple.</remarks>
    public (int Waiting, int Active, long Admissions) Read()
    {
        int waiting = 0, active = 0;
        lock (_lock)
        {
            var admissions = _retiredAdmissions;
            for (var i = _queues.Count - 1; i >= 0; i--)
            {
                var entry = _queues[i];
                if (entry.Queue.TryGetTarget(out var queue))
                {
                    waiting += Math.Max(0, queue.CurrentQueueSize);
                    active += Math.Max(0, queue.ActiveRequests);
                    entry.LastAdmissions = Math.Max(entry.LastAdmissions, queue.Admissions);
                    admissions += entry.LastAdmissions;
                }
                else
                {
                    _retiredAdmissions += entry.LastAdmissions;
                    admissions += entry.LastAdmissions;
                    _queues.RemoveAt(i);
                }
            }

            return (waiting, active, admissions);
        }
    }

    private sealed class Entry(WeakReference<IQueueState> queue)
    {
        public WeakReference<IQueueState> Queue { get; } = queue;

        public long LastAdmissions { get; set; }
    }
}
