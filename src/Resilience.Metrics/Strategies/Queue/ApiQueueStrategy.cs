using Polly;

namespace Resilience.Metrics;

/// <summary>The priority queue (<see cref="ApiQueue"/>) as a strategy of its own (<c>AddApiQueue</c>); works on any pipeline.</summary>
internal sealed class ApiQueueStrategy(BackendKey backend, GuardedMetricsCollector collector, ApiQueueStrategyOptions options)
    : ResilienceStrategy
{
    private readonly ApiQueue _queue = new(backend, collector, options);

    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state) => _queue.ExecuteAsync(callback, context, state);
}
