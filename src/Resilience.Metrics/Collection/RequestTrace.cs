using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Resilience.Metrics;

/// <summary>
/// One request as it was traced (kept only when request tracing is on). Holds no request or response body,
/// no header and no credential; <see cref="Error"/> is redacted.
/// </summary>
/// <remarks>
/// A trace the monitoring strategy makes for a request without an <c>Activity</c> draws its random W3C trace id as
/// 16 bytes and formats them as hex text the first time <see cref="TraceId"/> is read: tracing costs one allocation per
/// request, this object, not two. Equality compares the trace id text, so it does not depend on whether it was
/// formatted yet.
/// </remarks>
public sealed record RequestTrace
{
    private readonly ulong _randomHigh;
    private readonly ulong _randomLow;
    private string? _traceId;

    /// <summary>Creates a trace; <see cref="TraceId"/> and <see cref="Backend"/> are required.</summary>
    public RequestTrace()
    {
    }

    /// <summary>
    /// Creates a trace with the trace id <paramref name="traceId"/> (an Activity's, already text), or, when null, a new
    /// random one that is formatted when first read.
    /// </summary>
    [SetsRequiredMembers]
#pragma warning disable CS8618 // TraceId is never null: its getter formats the random id when no text was given.
    internal RequestTrace(string? traceId, string backend)
#pragma warning restore CS8618
    {
        _traceId = traceId;
        if (traceId is null)
        {
            do
            {
                _randomHigh = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
                _randomLow = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
            }
            while ((_randomHigh | _randomLow) == 0);    // W3C: an all-zero trace id is invalid
        }

        Backend = backend;
    }

    /// <summary>The W3C trace id of the request (32 lower-case hex digits; from the current Activity, else a new one).</summary>
    public required string TraceId
    {
        get => _traceId ??= FormatRandomId();
        init => _traceId = value;
    }

    private string FormatRandomId()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _randomHigh);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _randomLow);
        return Convert.ToHexStringLower(bytes);
    }

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

    /// <summary>TEMP stub.</summary>
    public bool QueueRejected { get; init; }

    /// <inheritdoc />
    public bool Equals(RequestTrace? other) =>
        ReferenceEquals(this, other) || (other is not null
            && TraceId == other.TraceId
            && Backend == other.Backend
            && Model == other.Model
            && Success == other.Success
            && Latency.Equals(other.Latency)
            && Error == other.Error
            && ErrorType == other.ErrorType
            && ErrorCategory == other.ErrorCategory
            && StartTime.Equals(other.StartTime)
            && EndTime.Equals(other.EndTime)
            && QueueTime.Equals(other.QueueTime)
            && Attempts == other.Attempts
            && StatusCode == other.StatusCode);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TraceId, Backend, Model, Success, Latency, EndTime, StatusCode);
}
