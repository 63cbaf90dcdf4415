namespace Resilience.Metrics;

/// <summary>
/// The queues observed for one backend, summed when read. Held weakly: a pipeline that is built again (options
/// reloaded) leaves its old queue to the garbage collector instead of to this list. (Admissions are not the
/// queues' to keep: they go to the backend's <see cref="AdmissionCounter"/>, which outlives them.)
/// </summary>
internal sealed class QueueStates
{
    private readonly Lock _lock = new();
    private WeakReference<IQueueState>[] _queues = [];

    public void Add(IQueueState queue)
    {
        lock (_lock)
        {
            // Copy on write, dropping queues that are gone: readers enumerate without a lock.
            var live = new List<WeakReference<IQueueState>>(_queues.Length + 1);
            foreach (var reference in _queues)
            {
                if (reference.TryGetTarget(out var existing))
                {
                    if (ReferenceEquals(existing, queue))
                    {
                        return;
                    }

                    live.Add(reference);
                }
            }

            live.Add(new WeakReference<IQueueState>(queue));
            Volatile.Write(ref _queues, live.ToArray());
        }
    }

    /// <summary>Requests waiting and requests in flight now, over every live queue of the backend.</summary>
    public (int Waiting, int Active) Read()
    {
        int waiting = 0, active = 0;
        foreach (var reference in Volatile.Read(ref _queues))
        {
            if (reference.TryGetTarget(out var queue))
            {
                waiting += Math.Max(0, queue.CurrentQueueSize);
                active += Math.Max(0, queue.ActiveRequests);
            }
        }

        return (waiting, active);
    }
}
