using Polly;

namespace Resilience.Metrics;

/// <summary>
/// Thrown (as the outcome) when a backend's queue is full: <c>MaxConcurrentRequests</c> are in flight and
/// <c>QueueSize</c> requests already wait. Counted as a queue rejection and as a <c>rate_limiting</c> error.
/// </summary>
public sealed class QueueRejectedException : ExecutionRejectedException
{
    /// <summary>Creates the exception with a default message.</summary>
    public QueueRejectedException()
        : base("The request queue is full.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public QueueRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public QueueRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
