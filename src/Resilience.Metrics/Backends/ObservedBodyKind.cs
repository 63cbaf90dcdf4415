namespace Resilience.Metrics;

/// <summary>How an observed response body is read.</summary>
internal enum ObservedBodyKind
{
    /// <summary>Server-sent events (<c>text/event-stream</c>).</summary>
    EventStream,

    /// <summary>Newline-delimited JSON (<c>application/x-ndjson</c>).</summary>
    NewlineDelimitedJson,

    /// <summary>One JSON document of unknown length, collected up to the size limit and read at the end.</summary>
    Json,
}
