using System.Diagnostics;
using Polly;

namespace Resilience.Metrics;

/// <content>A streamed body's end, which records its request long after the pipeline returned.</content>
internal sealed partial class RequestMonitoringStrategy<T>
{
    /// <summary>
    /// One streamed body being read by its caller: records its request when the body ends, with the tokens it carried
    /// (under the model the request named; the stream's own model only when it named none), the time to its first
    /// chunk and per chunk, and a read failure as the request's failure; then frees the slot and ends the span.
    /// </summary>
    private sealed class StreamCompletion(RequestMonitoringStrategy<T> strategy, PendingRequest request, ResilienceContext context, HttpResponseMessage response)
        : IResponseBodySink
    {
        // Taken now: the context goes back to its pool when the pipeline returns, long before the body ends.
        private readonly int _status = (int)response.StatusCode;
        private readonly int _attempts = context.Properties.GetValue(ApiMonitoringContext.Attempts, 1);
        private readonly TimeSpan _queueTime = strategy.QueueTime(context);
        private long _firstByte;
        private long _firstChunk;
        private long _lastChunk;
        private int _chunks;

        public void OnFirstByte() => _firstByte = strategy._time.GetTimestamp();

        public void OnChunks(int count)
        {
            var now = strategy._time.GetTimestamp();
            if (_chunks == 0)
            {
                _firstChunk = now;
            }

            _lastChunk = now;
            _chunks += count;
        }

        public void OnCompleted(in TokenUsage usage, bool usageFound, Exception? failure)
        {
            // The body may end on any thread, inside any span of the caller's: ending ours must not change its current span.
            var current = Activity.Current;
            try
            {
                var time = strategy._time;
                // A time to first chunk only for a body of chunks (an event stream, NDJSON), not for JSON of unknown length.
                var times = new StreamTimes(
                    _firstByte == 0 || _chunks == 0 ? null : time.GetElapsedTime(request.Start, _firstByte),
                    _chunks < 2 ? null : time.GetElapsedTime(_firstChunk, _lastChunk) / (_chunks - 1));
                var ending = new RequestEnding(_status, failure, failure is not null, failure is OperationCanceledException, _attempts, _queueTime);
                strategy.Record(request, ending, usage, times);
            }
            catch (Exception exception)
            {
                strategy._collector.Fault(strategy._backend, exception);
            }
            finally
            {
                strategy.End(in request);
                if (request.Activity is not null)
                {
                    Activity.Current = current == request.Activity ? request.Activity.Parent : current;
                }
            }
        }
    }
}
