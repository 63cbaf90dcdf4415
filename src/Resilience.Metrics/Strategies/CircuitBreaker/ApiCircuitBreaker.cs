using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Resilience.Metrics;

/// <summary>
/// Wires Polly's circuit breaker to the collector and the log: every state change is logged (Warning on open,
/// Information on half-open and close) and recorded with its time; every attempt the breaker judges is counted
/// for <c>failure_count</c> (in the breaker's predicate, so attempts the open circuit rejected are not counted).
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

    /// <summary>
    /// Adds the breaker with the attempt counter in its predicate; the user's own callbacks and predicate still run.
    /// The breaker gets a copy of <paramref name="given"/>: the caller's object is never changed.
    /// </summary>
    public static void Add<T>(ResiliencePipelineBuilder<T> builder, BackendKey backend, GuardedMetricsCollector collector, CircuitBreakerStrategyOptions<T> given, ILogger logger)
    {
        var options = Copy(given);

        // Polly's telemetry of a pipeline we observe reports every breaker; ours are told apart by name, so Polly's
        // default name (which other breakers share) becomes ours: the state changes recorded here are not counted again.
        if (options.Name is null or "CircuitBreaker")
        {
            options.Name = ApiCircuitBreakerStrategyOptions.DefaultName;
        }

        var onOpened = given.OnOpened;
        var onClosed = given.OnClosed;
        var onHalfOpened = given.OnHalfOpened;
        options.OnOpened = async args =>
        {
            var (_, type) = Outcomes.Classify(args.Outcome, args.Context);
            Log.CircuitOpened(logger, backend.Name, args.BreakDuration, type, args.IsManual);
            collector.RecordCircuitStateChange(new CircuitStateChanged(backend, CircuitState.Open) { BreakDuration = args.IsManual ? null : args.BreakDuration });
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

        // The attempt counter runs in the breaker's own predicate, which the breaker calls once for every attempt it let
        // through (never for one it rejected): no extra strategy layer per request.
        var shouldHandle = given.ShouldHandle;
        options.ShouldHandle = args => Judge(shouldHandle(args), args.Context, backend, collector);
        builder.AddCircuitBreaker(options);
    }

    /// <summary>Every setting of <paramref name="options"/> in a new object (a test checks that none is missed).</summary>
    internal static CircuitBreakerStrategyOptions<T> Copy<T>(CircuitBreakerStrategyOptions<T> options) => new()
    {
        Name = options.Name,
        FailureRatio = options.FailureRatio,
        MinimumThroughput = options.MinimumThroughput,
        SamplingDuration = options.SamplingDuration,
        BreakDuration = options.BreakDuration,
        BreakDurationGenerator = options.BreakDurationGenerator,
        ShouldHandle = options.ShouldHandle,
        OnOpened = options.OnOpened,
        OnClosed = options.OnClosed,
        OnHalfOpened = options.OnHalfOpened,
        ManualControl = options.ManualControl,
        StateProvider = options.StateProvider,
    };

    private static ValueTask<bool> Judge(ValueTask<bool> judged, ResilienceContext context, BackendKey backend, GuardedMetricsCollector collector)
    {
        if (!judged.IsCompletedSuccessfully)
        {
            return JudgeAsync(judged, context, backend, collector);
        }

        var failed = judged.Result;
        collector.RecordCircuitAttempt(backend, failed);
        return new ValueTask<bool>(failed);
    }

    private static async ValueTask<bool> JudgeAsync(ValueTask<bool> judged, ResilienceContext context, BackendKey backend, GuardedMetricsCollector collector)
    {
        var failed = await judged.ConfigureAwait(context.ContinueOnCapturedContext);
        collector.RecordCircuitAttempt(backend, failed);
        return failed;
    }
}
