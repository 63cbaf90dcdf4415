using Polly;
using Polly.Retry;

namespace Resilience.Metrics;

/// <summary>Builds Polly's retry strategy from <see cref="ApiRetryStrategyOptions"/>, reporting every retry.</summary>
internal static class ApiRetry
{
    public static RetryStrategyOptions<T> ToPolly<T>(BackendKey backend, GuardedMetricsCollector collector, ApiRetryStrategyOptions options) => new()
    {
        Name = options.Name,
        MaxRetryAttempts = options.MaxRetries,
        // A body that cannot be sent twice is not retried: the caller gets the server's own answer, not a failure of ours.
        ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome) && RequestBodies.CanResend(args.Context)),
        DelayGenerator = args => new ValueTask<TimeSpan?>(Delay(options, args.AttemptNumber, Outcomes.RetryAfter(args.Outcome, collector.TimeProvider))),
        OnRetry = args =>
        {
            Record(in args, args.Context, collector, backend);
            return default;
        },
    };

    /// <summary>
    /// Records a retry Polly is about to make: from this retry strategy, or from an application's own through the Polly
    /// bridge (one place, so both count attempts, spans and retries alike).
    /// </summary>
    internal static void Record<TResult>(in OnRetryArguments<TResult> retry, ResilienceContext context, GuardedMetricsCollector collector, BackendKey backend)
    {
        var (category, type) = Outcomes.Classify(retry.Outcome, context);
        // Added to, not set: a retrying layer inside or outside this one counts its attempts too.
        context.Properties.Set(ApiMonitoringContext.Attempts, context.Properties.GetValue(ApiMonitoringContext.Attempts, 1) + 1);
        ApiMonitoringTelemetry.RetryScheduled(context.Properties.GetValue(ApiMonitoringContext.RequestActivity, null!), retry.AttemptNumber + 1, retry.RetryDelay, type);
        collector.RecordRetry(new RetryAttempted(backend)
        {
            Model = context.Properties.GetValue(ApiMonitoringContext.Model, null!),
            AttemptNumber = retry.AttemptNumber + 1,
            Delay = retry.RetryDelay,
            ErrorCategory = category,
            ErrorType = type,
        });
    }

    /// <summary>The delay before retry number <paramref name="attempt"/> + 1 (0-based).</summary>
    internal static TimeSpan Delay(ApiRetryStrategyOptions options, int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < options.MaxRetryDelay ? asked : options.MaxRetryDelay;
        }

        var ticks = options.InitialRetryDelay.Ticks * Math.Pow(options.BackoffFactor, attempt);
        if (options.UseJitter)
        {
            ticks *= 0.8 + (0.4 * Random.Shared.NextDouble());
        }

        return ticks >= options.MaxRetryDelay.Ticks ? options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }
}
