namespace Resilience.Metrics;

/// <summary>How <see cref="PriorityGate.Enter"/> went.</summary>
internal enum GateEntry
{
    /// <summary>A slot was taken at once.</summary>
    Admitted,

    /// <summary>The request waits for a slot.</summary>
    Waiting,

    /// <summary>The queue was full.</summary>
    Rejected,
}
