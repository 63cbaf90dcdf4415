namespace Resilience.Metrics;

/// <summary>
/// Hears how one observed response body goes (<see cref="ResponseBodyObserver"/>): its first byte, its chunks, and its
/// end — read to the end, disposed, failed in transport, or reclaimed unread. <see cref="OnCompleted"/> is called once.
/// </summary>
internal interface IResponseBodySink
{
    /// <summary>The caller read the first byte of the body.</summary>
    void OnFirstByte();

    /// <summary>A read brought one or more new chunks (stream events or NDJSON lines).</summary>
    void OnChunks(int count);

    /// <summary>The body ended.</summary>
    /// <param name="usage">What was found (zeros when nothing was).</param>
    /// <param name="usageFound">Whether any token count or model was found.</param>
    /// <param name="failure">The exception a read of the body threw; null when the body ended, was disposed or reclaimed.</param>
    void OnCompleted(in TokenUsage usage, bool usageFound, Exception? failure);
}
