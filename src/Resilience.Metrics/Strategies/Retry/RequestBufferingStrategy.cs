using Polly;

namespace Resilience.Metrics;

/// <summary>
/// Loads an SDK's own request body (JSON of known length, at most 1 MiB) into its buffer before the first attempt, so
/// our retry can send it again. Request monitoring does the same on its way; this runs in front of the retry where it
/// is absent (<c>MetricsEnabled = false</c>, <c>AddApiRetry</c> alone), so whether a request is retried never depends
/// on whether it is monitored.
/// </summary>
internal sealed class RequestBufferingStrategy : ResilienceStrategy
{
    private readonly HttpUsageExtractor _bodies = new();

    public static ResilienceStrategyOptions Options => new BufferingOptions();

    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        // Cheap checks first: no request, a body that can be sent again, or one already buffered go straight through.
        if (RequestBodies.CanResend(context) || context.GetRequestMessage() is not { } request
            || _bodies.ContentToBuffer(request, ApiFormat.Auto) is not { } content)
        {
            return callback(context, state);
        }

        return BufferThenExecuteAsync(callback, context, state, content);
    }

    private async ValueTask<Outcome<TResult>> BufferThenExecuteAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state, HttpContent content)
    {
        try
        {
            await content.LoadIntoBufferAsync(_bodies.MaxJsonBodyBytes, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception exception)
        {
            // Serializing the body failed: sending it would have failed the same way.
            return Outcome.FromException<TResult>(exception);
        }

        context.Properties.Set(ApiMonitoringContext.BufferedBody, content);
        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    private sealed class BufferingOptions : ResilienceStrategyOptions
    {
        public BufferingOptions() => Name = "ApiRequestBuffering";
    }
}
