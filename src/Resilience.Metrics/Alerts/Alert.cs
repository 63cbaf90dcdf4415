namespace Resilience.Metrics;

/// <summary>
/// A threshold of one backend was crossed (<see cref="AlertState.Firing"/>) or cleared (<see cref="AlertState.Resolved"/>).
/// Sent once per change, never again while the state stays the same. Carries figures only: no request, header or credential.
/// </summary>
public sealed record Alert
{
    /// <summary>The backend's name (the <c>api</c> label).</summary>
    public required string Backend { get; init; }

    /// <summary>Which threshold.</summary>
    public required AlertRule Rule { get; init; }

    /// <summary>Whether the alert started or ended.</summary>
    public required AlertState State { get; init; }

    /// <summary>The value when the state changed: a ratio (error rate), milliseconds (P95 latency), a request count (queue size) or USD per hour (spend rate).</summary>
    public required double Value { get; init; }

    /// <summary>The threshold, in the unit of <see cref="Value"/>.</summary>
    public required double Threshold { get; init; }

    /// <summary>When the check saw the change (from the DI <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>A human-readable line, like the guide's <c>High error rate: 7.50%</c>.</summary>
    public required string Message { get; init; }

    /// <summary>The rule's snake_case name: <c>error_rate</c>, <c>p95_latency</c> or <c>queue_size</c>.</summary>
    public string RuleName => Rule.ToName();
}
