namespace Resilience.Metrics;

/// <summary>The priority a request waits with when its backend is at its concurrency limit.</summary>
public enum RequestPriority
{
    /// <summary>Admitted before Normal and Low requests.</summary>
    High = 0,

    /// <summary>The default.</summary>
    Normal = 1,

    /// <summary>Admitted only when no High or Normal request waits.</summary>
    Low = 2,
}
