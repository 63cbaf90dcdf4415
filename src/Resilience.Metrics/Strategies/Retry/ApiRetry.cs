using Polly;
using Polly.Retry;

namespace Resilience.Metrics;

/// <summary>Builds Polly's retry strategy from <see cref="ApiRetryStrategyOptions"/>, reporting every retry.</summary>
internal static class ApiRetry
{
    /// <param name="backend">The backend the retries are counted for.</param>
    /// <param name="collector">Where each retry is sent.</param>
    /// <param name="options">The retry's options.</param>
    /// <param name="models">Reads a retried request's model (for per-model retry counts), only when one is retried.</param>
    public static RetryStrategyOptions<T> ToPolly<T>(BackendKey backend, GuardedMetricsCollector collector, ApiRetryStrategyOptions options, HttpUsageExtractor models) => new()
    {
        Name = options.Name,
        MaxRetryAttempts = options.MaxRetries,
        ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome)),
        DelayGenerator = args => new ValueTask<TimeSpan?>(Delay(options, args.AttemptNumber, Outcomes.RetryAfter(args.Outcome, collector.TimeProvider))),
        OnRetry = args =>
        {
            var (category, type) = Outcomes.Classify(args.Outcome, args.Context);
            args.Context.Properties.Set(ApiMonitoringContext.Attempts, args.AttemptNumber + 2);
            collector.RecordRetry(new RetryAttempted(backend)
            {
                Model = ApiMonitoringContext.GetModel(args.Context, models, out _),
                AttemptNumber = args.AttemptNumber + 1,
                Delay = args.RetryDelay,
                ErrorCategory = category,
                ErrorType = type,
            });
            return default;
        },
    };

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
