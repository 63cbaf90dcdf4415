using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Resilience.Metrics;

/// <summary>
/// Wires Polly's circuit breaker to the collector and the log: every state change is logged (Warning on open,
/// Information on half-open and close) and recorded with its time; every attempt the breaker judges is counted
/// for <c>failure_count</c>.
/// </summary>
internal static class ApiCircuitBreaker
{
    public static CircuitBreakerStrategyOptions<T> ToPolly<T>(ApiCircuitBreakerStrategyOptions options) => new()
    {
        Name = options.Name,
        FailureRatio = 1.0,
        MinimumThroughput = options.FailureThreshold,
        SamplingDuration = options.SamplingDuration,
        BreakDuration = options.ResetTimeout,
        ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome)),
    };

    /// <summary>Adds the breaker and, inside it, the attempt counter; the user's own callbacks still run.</summary>
    public static void Add<T>(ResiliencePipelineBuilder<T> builder, BackendKey backend, IMetricsCollector collector, CircuitBreakerStrategyOptions<T> options, ILogger logger)
    {
        var onOpened = options.OnOpened;
        var onClosed = options.OnClosed;
        var onHalfOpened = options.OnHalfOpened;
        options.OnOpened = async args =>
        {
            var (_, type) = Outcomes.Classify(args.Outcome, args.Context);
            Log.CircuitOpened(logger, backend.Name, args.BreakDuration, type, args.IsManual);
            collector.RecordCircuitStateChange(new CircuitStateChanged(backend, CircuitState.Open));
            if (onOpened is not null)
            {
                await onOpened(args).ConfigureAwait(false);
            }
        };
        options.OnHalfOpened = async args =>
        {
            Log.CircuitHalfOpened(logger, backend.Name);
            collector.RecordCircuitStateChange(new CircuitStateChanged(backend, CircuitState.HalfOpen));
            if (onHalfOpened is not null)
            {
                await onHalfOpened(args).ConfigureAwait(false);
            }
        };
        options.OnClosed = async args =>
        {
            Log.CircuitClosed(logger, backend.Name, args.IsManual);
            collector.RecordCircuitStateChange(new CircuitStateChanged(backend, CircuitState.Closed));
            if (onClosed is not null)
            {
                await onClosed(args).ConfigureAwait(false);
            }
        };

        var shouldHandle = options.ShouldHandle;
        builder.AddCircuitBreaker(options);
        builder.AddStrategy(_ => new CircuitAttemptRecorder<T>(backend, collector, shouldHandle), new CircuitAttemptRecorderOptions());
    }

    /// <summary>Sits inside the breaker, so attempts it rejected (open circuit) are not counted as failures.</summary>
    private sealed class CircuitAttemptRecorder<T>(
        BackendKey backend,
        IMetricsCollector collector,
        Func<CircuitBreakerPredicateArguments<T>, ValueTask<bool>> shouldHandle) : ResilienceStrategy<T>
    {
        protected override async ValueTask<Outcome<T>> ExecuteCore<TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
            ResilienceContext context,
            TState state)
        {
            var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
            var failed = await shouldHandle(new CircuitBreakerPredicateArguments<T>(context, outcome)).ConfigureAwait(context.ContinueOnCapturedContext);
            collector.RecordCircuitAttempt(backend, failed);
            return outcome;
        }
    }

    private sealed class CircuitAttemptRecorderOptions : ResilienceStrategyOptions
    {
        public CircuitAttemptRecorderOptions() => Name = "ApiCircuitAttempts";
    }
}
