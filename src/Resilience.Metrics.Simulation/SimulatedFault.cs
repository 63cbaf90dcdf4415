using System.Globalization;

namespace Resilience.Metrics.Simulation;

/// <summary>What kind of behaviour a <see cref="SimulatedFault"/> scripts.</summary>
public enum SimulatedFaultKind
{
    /// <summary>Answer normally (a placeholder in a scripted sequence).</summary>
    None,

    /// <summary>Answer with an HTTP error status and the API's real error body.</summary>
    Status,

    /// <summary>Wait, then answer normally; stops waiting when the client gives up.</summary>
    Delay,

    /// <summary>Abort the connection before any response.</summary>
    ResetConnection,

    /// <summary>Answer 200 with a body that is not valid JSON.</summary>
    MalformedBody,

    /// <summary>Send part of the response (some stream chunks, or part of the body), then abort the connection.</summary>
    TruncatedStream,
}

/// <summary>
/// One scripted misbehaviour of a simulated backend, consumed by one request
/// (see <see cref="BackendControl.Enqueue(SimulatedFault[])"/> and <see cref="FaultPlan"/>).
/// </summary>
public sealed class SimulatedFault
{
    private SimulatedFault(SimulatedFaultKind kind, int statusCode = 0, TimeSpan? retryAfter = null, TimeSpan duration = default, int chunks = 0)
    {
        Kind = kind;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
        Duration = duration;
        ChunksBeforeAbort = chunks;
    }

    /// <summary>A normal answer: lets a scripted sequence interleave successes with faults.</summary>
    public static SimulatedFault None { get; } = new(SimulatedFaultKind.None);

    /// <summary>The kind of fault.</summary>
    public SimulatedFaultKind Kind { get; }

    /// <summary>The HTTP status of a <see cref="SimulatedFaultKind.Status"/> fault; otherwise 0.</summary>
    public int StatusCode { get; }

    /// <summary>The <c>Retry-After</c> a <see cref="SimulatedFaultKind.Status"/> fault sends, if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>How long a <see cref="SimulatedFaultKind.Delay"/> fault waits before answering.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How many stream chunks a <see cref="SimulatedFaultKind.TruncatedStream"/> fault sends before it aborts.</summary>
    public int ChunksBeforeAbort { get; }

    /// <summary>
    /// An error response with <paramref name="code"/> and the API's real error body for that code
    /// (for example OpenAI's <c>{"error":{"message","type","code"}}</c> or S3's XML <c>&lt;Error&gt;</c>).
    /// </summary>
    /// <param name="code">An HTTP status code from 400 to 599.</param>
    /// <param name="retryAfter">When given, the response carries <c>Retry-After</c> in whole seconds (rounded up).</param>
    public static SimulatedFault Status(int code, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        if (retryAfter is { } ra)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(ra, TimeSpan.Zero, nameof(retryAfter));
        }

        return new(SimulatedFaultKind.Status, statusCode: code, retryAfter: retryAfter);
    }

    /// <summary>
    /// Waits <paramref name="delay"/> before answering normally, to trigger client attempt timeouts.
    /// The wait ends early when the client aborts the request.
    /// </summary>
    public static SimulatedFault Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(SimulatedFaultKind.Delay, duration: delay);
    }

    /// <summary>Aborts the TCP connection before any response; the client sees an <see cref="HttpRequestException"/>.</summary>
    public static SimulatedFault ResetConnection() => new(SimulatedFaultKind.ResetConnection);

    /// <summary>Answers 200 with a JSON content type and a body that is not valid JSON.</summary>
    public static SimulatedFault MalformedBody() => new(SimulatedFaultKind.MalformedBody);

    /// <summary>
    /// Starts the response, then aborts the connection: a streamed response sends
    /// <paramref name="chunksBeforeAbort"/> chunks first; a buffered one sends half of its body.
    /// </summary>
    public static SimulatedFault TruncatedStream(int chunksBeforeAbort = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunksBeforeAbort);
        return new(SimulatedFaultKind.TruncatedStream, chunks: chunksBeforeAbort);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        SimulatedFaultKind.Status when RetryAfter is { } ra =>
            string.Create(CultureInfo.InvariantCulture, $"Status({StatusCode}, Retry-After {ra.TotalSeconds} s)"),
        SimulatedFaultKind.Status => string.Create(CultureInfo.InvariantCulture, $"Status({StatusCode})"),
        SimulatedFaultKind.Delay => string.Create(CultureInfo.InvariantCulture, $"Delay({Duration.TotalMilliseconds} ms)"),
        SimulatedFaultKind.TruncatedStream => string.Create(CultureInfo.InvariantCulture, $"TruncatedStream({ChunksBeforeAbort})"),
        _ => Kind.ToString(),
    };
}
