namespace Resilience.Metrics;

/// <summary>
/// One request as it was traced (kept only when request tracing is on). Holds no request or response body,
/// no header and no credential; <see cref="Error"/> is redacted.
/// </summary>
public sealed record RequestTrace
{
    /// <summary>The W3C trace id of the request (from the current Activity, else a new one).</summary>
    public required string TraceId { get; init; }

    /// <summary>The backend that served the request.</summary>
    public required string Backend { get; init; }

    /// <summary>The model, when known.</summary>
    public string? Model { get; init; }

    /// <summary>Whether the request succeeded.</summary>
    public bool Success { get; init; }

    /// <summary>End-to-end latency in milliseconds, queue time and retries included.</summary>
    public double Latency { get; init; }

    /// <summary>The error's redacted message, or null on success.</summary>
    public string? Error { get; init; }

    /// <summary>The error's type (exception type name or status code), or null on success.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The error's category; <see cref="ErrorCategory.None"/> on success.</summary>
    public ErrorCategory ErrorCategory { get; init; }

    /// <summary>When the request started.</summary>
    public DateTimeOffset StartTime { get; init; }

    /// <summary>When the request ended.</summary>
    public DateTimeOffset EndTime { get; init; }

    /// <summary>Time spent waiting in the queue, in milliseconds.</summary>
    public double QueueTime { get; init; }

    /// <summary>How many attempts were made (1 when not retried).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The final HTTP status code, when there was a response.</summary>
    public int? StatusCode { get; init; }
}
