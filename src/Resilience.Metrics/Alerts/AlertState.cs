namespace Resilience.Metrics;

/// <summary>Whether an alert started or ended.</summary>
public enum AlertState
{
    /// <summary>The value crossed its threshold.</summary>
    Firing,

    /// <summary>The value is back at or below its threshold.</summary>
    Resolved,
}
