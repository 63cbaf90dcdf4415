using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>
/// A stream as a model's API sends it: the headers flushed at once when there is a first-chunk wait, the first chunk
/// after that wait (a model thinking), then a wait before each later chunk, each chunk flushed on its own.
/// </summary>
internal static class StreamedResponse
{
    /// <summary>Writes the events of an SSE stream (<c>text/event-stream</c>, <c>no-cache</c>) as <see cref="WriteChunksAsync"/> does.</summary>
    public static Task WriteEventsAsync(HttpContext context, IEnumerable<string> events, TimeSpan firstChunkDelay, TimeSpan chunkDelay, int? abortAfterChunks = null, Task? abortWhen = null)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return WriteAsync(context, events, firstChunkDelay, chunkDelay, abortAfterChunks, abortWhen);
    }

    /// <summary>Writes the chunks of a stream of <paramref name="contentType"/>.</summary>
    /// <param name="context">The request to answer.</param>
    /// <param name="contentType">The response's content type.</param>
    /// <param name="chunks">The chunks as they go on the wire.</param>
    /// <param name="firstChunkDelay">Wait between the headers and the first chunk.</param>
    /// <param name="chunkDelay">Wait before each chunk after the first.</param>
    /// <param name="abortAfterChunks">Abort the connection after this many chunks (after the wait before the next one).</param>
    /// <param name="abortWhen">Done once the client has read the chunks before the abort.</param>
    public static Task WriteChunksAsync(HttpContext context, string contentType, IEnumerable<string> chunks, TimeSpan firstChunkDelay, TimeSpan chunkDelay, int? abortAfterChunks = null, Task? abortWhen = null)
    {
        context.Response.ContentType = contentType;
        return WriteAsync(context, chunks, firstChunkDelay, chunkDelay, abortAfterChunks, abortWhen);
    }

    private static async Task WriteAsync(HttpContext context, IEnumerable<string> chunks, TimeSpan firstChunkDelay, TimeSpan chunkDelay, int? abortAfterChunks, Task? abortWhen)
    {
        var aborted = context.RequestAborted;
        if (firstChunkDelay > TimeSpan.Zero)
        {
            await context.Response.StartAsync(aborted);
            await context.Response.Body.FlushAsync(aborted);
            await Task.Delay(firstChunkDelay, aborted);
        }

        var i = 0;
        foreach (var chunk in chunks)
        {
            if (i > 0 && chunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(chunkDelay, aborted);
            }

            if (i == abortAfterChunks)
            {
                await (abortWhen ?? Task.CompletedTask).WaitAsync(aborted);
                context.Abort();
                return;
            }

            await context.Response.WriteAsync(chunk, aborted);
            await context.Response.Body.FlushAsync(aborted);
            i++;
        }
    }
}
